# Cahier Coop's service for a department's server: the API, the task pane and its manifest, on
# MariaDB (compose.yaml beside this file). Two stages: the build needs the development tools and
# a compiler for sqlite3's native addon; the image keeps the production dependencies only.

FROM node:20-bookworm-slim AS build
# sqlite3 is a native addon: compiled here when no prebuilt binary fits the platform.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# The pane (webpack, dist/addin) and the server (tsc, dist/server), then the development
# dependencies dropped.
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
  PORT=3000
WORKDIR /app
# What the service reads at run time: the package root (package.json and manifest.xml mark it),
# the command line, the compiled server and pane, the help page, the production dependencies.
COPY --from=build /app/package.json /app/package-lock.json /app/manifest.xml ./
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist ./dist
COPY --from=build /app/server/http/aide.html ./server/http/aide.html
COPY --from=build /app/node_modules ./node_modules
# data/ is where an SQLite database would go (not with MariaDB): writable by the service's user.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# DATABASE_URL, PORT, LOG_LEVEL and REQUEST_TIMEOUT come from the environment; behind the
# department's reverse proxy (TLS), which --proxy trusts for the client's address.
CMD ["node", "bin/cahier.js", "serve", "--host", "0.0.0.0", "--proxy"]
