# syntax=docker/dockerfile:1
# Radiology Worklist: the BFF serving the built SPA, on Node 24, production dependencies only.
# Build:  docker build -t radiology-worklist .
# Run:    see docs/deploy.md ("Container") and compose.yaml for a local stack.
#
# The runtime stage's install and start commands are the ones test/startup/production-install.test.ts
# runs in a temporary folder (a test reads them from this file), so CI exercises what this image does.

# ---- build: every dependency, then the SPA into dist/ and its first-screen renderer into dist-server/ --
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# ---- runtime: Node 24, production dependencies, the built SPA, a non-root user ------------------
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --prefer-offline --no-audit --no-fund
COPY src ./src
COPY --from=build /app/dist ./dist
# The worklist's first screen, rendered on the server (decision record 041); not served as a file.
COPY --from=build /app/dist-server ./dist-server
# The code stays root's (read-only to the server); only DATA_DIR is the server's to write.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
# /api/health answers while the process is alive (also under load); /api/ready is for monitoring.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node is PID 1 and handles SIGTERM itself: event streams end, requests in progress finish, exit
# within SHUTDOWN_TIMEOUT_SECONDS (keep `docker stop -t` / stop_grace_period above it).
STOPSIGNAL SIGTERM
CMD ["node", "src/bff/server.ts"]
