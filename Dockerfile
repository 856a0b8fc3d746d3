# syntax=docker/dockerfile:1
# One image for the API (the default command), the worker and the migrations, chosen by the command:
#   docker build -t tender .
#   docker run … tender                                     # API on :3000
#   docker run … tender node dist/apps/worker/src/main.js   # a worker
#   docker run … tender node dist/scripts/migrate.js        # SQL migrations, then the encryption data step
#   docker run … tender node dist/apps/cli/src/main.js …    # the CLI (tender demo seed, client create…)
# The final stage is scripts/production-copy.sh run on the build stage's checkout: CI (.ci/production)
# runs the same script into a temp folder and starts Tender from it, so what CI tests is this image's /app.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM ${NODE_IMAGE} AS production
ENV NODE_ENV=production
WORKDIR /app
# package.json, package-lock.json, dist/, prisma/ and `npm ci --omit=dev --omit=optional`: the build
# stage's checkout is mounted, not copied, so nothing of it but the production copy lands in a layer.
RUN --mount=type=bind,from=build,source=/src,target=/src \
    --mount=type=cache,target=/root/.npm \
    bash /src/scripts/production-copy.sh /app
# The files stay root's: the service user reads them and writes nothing.
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/apps/api/src/main.js"]
