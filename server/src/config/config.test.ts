import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, formatConfigHelp, loadConfig } from './config.ts';

const MIB = 1024 * 1024;

describe('loadConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    const config = loadConfig({}, '/srv/roto');
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      dataDir: '/srv/roto/data',
      modelPack: 'test-tiny',
      ortProviders: ['cpu'],
      embeddingCacheBytes: 1024 * MIB,
      laneConcurrency: 1,
      maxUploadBytes: 2048 * MIB,
      maxFrameSide: 1280,
      sessionTtlMs: 72 * 60 * 60 * 1000,
      urlIngestPrivate: false,
      publicUrl: undefined,
      corsOrigins: [],
      redisUrl: undefined,
      logLevel: 'info',
    });
    expect(config.modelsDir).toMatch(/\/models$/);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.ortProviders)).toBe(true);
  });

  it('reads every variable', () => {
    const config = loadConfig(
      {
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: '/var/lib/roto',
        MODEL_PACK: 'sam2.1-hiera-tiny',
        MODELS_DIR: 'packs',
        ORT_PROVIDERS: 'cuda, cpu',
        EMBEDDING_CACHE_MB: '256',
        GPU_LANE_CONCURRENCY: '2',
        MAX_UPLOAD_MB: '100',
        MAX_FRAME_SIDE: '720',
        SESSION_TTL_HOURS: '24',
        URL_INGEST_PRIVATE: 'true',
        PUBLIC_URL: 'https://roto.example.com/',
        CORS_ORIGINS: 'http://localhost:5173,https://app.example.com',
        REDIS_URL: 'redis://127.0.0.1:6379',
        LOG_LEVEL: 'warn',
        AUTH_MODE: 'token',
        ROTO_SECRET: 's'.repeat(32),
        RATE_LIMIT_COMMANDS_PER_SEC: '5',
        RATE_LIMIT_BURST: '10',
        PRESENCE_MAX_PER_SEC: '30',
      },
      '/srv/roto',
    );
    expect(config).toEqual({
      port: 0,
      host: '127.0.0.1',
      dataDir: '/var/lib/roto',
      modelPack: 'sam2.1-hiera-tiny',
      modelsDir: '/srv/roto/packs',
      ortProviders: ['cuda', 'cpu'],
      embeddingCacheBytes: 256 * MIB,
      laneConcurrency: 2,
      maxUploadBytes: 100 * MIB,
      maxFrameSide: 720,
      sessionTtlMs: 24 * 60 * 60 * 1000,
      urlIngestPrivate: true,
      publicUrl: 'https://roto.example.com',
      corsOrigins: ['http://localhost:5173', 'https://app.example.com'],
      redisUrl: 'redis://127.0.0.1:6379',
      logLevel: 'warn',
      authMode: 'token',
      secret: 's'.repeat(32),
      rateLimit: { perSec: 5, burst: 10 },
      presenceMaxPerSec: 30,
    });
  });

  it('defaults to open access with 20 commands/s (burst 40) and refuses a short secret', () => {
    expect(loadConfig({})).toMatchObject({
      authMode: 'open',
      secret: undefined,
      rateLimit: { perSec: 20, burst: 40 },
      presenceMaxPerSec: 20,
    });
    expect(() => loadConfig({ ROTO_SECRET: 'short' })).toThrow(/ROTO_SECRET: must be at least 32 characters/);
    expect(() => loadConfig({ AUTH_MODE: 'closed' })).toThrow(/AUTH_MODE: must be one of open, token/);
  });

  it('treats blank variables as unset', () => {
    expect(loadConfig({ PORT: '', LOG_LEVEL: '  ' }).port).toBe(8080);
  });

  it('names every bad variable at once', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        ORT_PROVIDERS: 'cpu,gpu',
        EMBEDDING_CACHE_MB: '-5',
        LOG_LEVEL: 'loud',
        CORS_ORIGINS: 'https://ok.example.com/path',
        REDIS_URL: 'http://not-redis',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.map((p) => p.variable).sort();
    expect(problems).toEqual([
      'CORS_ORIGINS',
      'EMBEDDING_CACHE_MB',
      'LOG_LEVEL',
      'ORT_PROVIDERS',
      'PORT',
      'REDIS_URL',
    ]);
    const message = (error as ConfigError).message;
    expect(message).toContain('PORT: must be a number (got "eighty")');
    expect(message).toContain('LOG_LEVEL: must be one of debug, info, warn, error, silent');
    expect(message).toContain('EMBEDDING_CACHE_MB: must be at least 0');
  });

  it('rejects a port out of range', () => {
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT: must be at most 65535/);
  });
});

describe('formatConfigHelp', () => {
  it('lists every variable with its default', () => {
    const help = formatConfigHelp();
    for (const v of CONFIG_VARIABLES) expect(help).toContain(v.name);
    expect(help).toMatch(/PORT\s+HTTP and Socket\.IO port .*\(default: 8080\)/);
  });
});
