/** The keyboard and mouse reference, opened with `?`. */
export const SHORTCUTS: ReadonlyArray<[string, string]> = [
  ['Left click', 'foreground point (creates an object when none is selected)'],
  ['Right click / Alt+click', 'background point'],
  ['Drag', 'box around the object'],
  ['Click a point', 'remove it'],
  ['Wheel', 'zoom about the cursor'],
  ['Space+drag / middle drag', 'pan'],
  ['F', 'fit the frame to the view'],
  ['← / →', 'previous / next frame (Shift: 10 frames)'],
  ['K', 'play / pause'],
  ['O', 'outline / filled masks'],
  ['H', 'hide / show the selected object'],
  ['Ctrl+Z / Ctrl+Shift+Z', 'undo / redo your own edits'],
  ['Esc', 'deselect the object, close this help'],
  ['?', 'this help'],
];

/** The help dialog; Escape (handled with the editor's keys) or the button closes it. */
export function KeyboardHelp({ onClose }: { onClose(): void }) {
  return (
    <div className="modal-backdrop">
      <dialog open className="modal" aria-label="Keyboard shortcuts">
        <h2>Keys and mouse</h2>
        <table>
          <tbody>
            {SHORTCUTS.map(([k, what]) => (
              <tr key={k}>
                <th>
                  <kbd>{k}</kbd>
                </th>
                <td>{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </dialog>
    </div>
  );
}
