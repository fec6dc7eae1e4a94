# syntax=docker/dockerfile:1
# «Ты не один» — one image for every role: api (default CMD), worker and the migrate step.
# Build from the repository root: docker build -t ty-ne-odin .
# TypeScript runs through tsx (a runtime dependency), so there is no compile stage.

FROM node:20-bookworm-slim AS deps
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATA_DIR=/app/data
# Owned by root and read-only for the app user: the process never writes its own code.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json drizzle.config.ts ./
COPY src ./src
COPY scripts ./scripts
# DATA_DIR is only used by embedded PGlite (no DATABASE_URL); it must be writable by the app user.
RUN mkdir -p /app/data && chown node:node /app/data
# The image's built-in unprivileged user (uid 1000).
USER node
EXPOSE 3000
# Liveness only: /ready also needs PostgreSQL and Redis, which compose/Kubernetes check themselves.
# Slim images have no curl; Node 20 has fetch.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# main.ts drains on SIGTERM within SHUTDOWN_TIMEOUT_MS (default 10 s).
STOPSIGNAL SIGTERM
# node is PID 1 with tsx loaded in-process (not npm, not the tsx CLI wrapper), so SIGTERM reaches the app.
# Roles: api | worker | all; the migrate step runs: node --import tsx scripts/migrate.ts
CMD ["node", "--import", "tsx", "src/main.ts", "api"]
