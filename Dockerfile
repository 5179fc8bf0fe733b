# Roto server with the web app, CPU inference on embedded defaults.
# Build:  docker build -t roto .
# Run:    docker run -p 8080:8080 -v roto-data:/data -v roto-models:/app/models-extra roto
# GPU:    build with --build-arg ORT_CUDA=v12 and run with --gpus all -e ORT_PROVIDERS=cuda,cpu
FROM node:20-bookworm-slim AS build
ARG ORT_CUDA=skip
ENV ONNXRUNTIME_NODE_INSTALL_CUDA=${ORT_CUDA}
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY shared/package.json shared/
COPY server/package.json server/
COPY client/package.json client/
COPY e2e/package.json e2e/
RUN npm ci
COPY . .
RUN npx vite build

FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app /app
ENV HOST=0.0.0.0 PORT=8080 DATA_DIR=/data NODE_ENV=production
EXPOSE 8080
VOLUME ["/data"]
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["node", "--import", "tsx", "server/src/main.ts"]
