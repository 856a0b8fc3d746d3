#!/usr/bin/env bash
# The production copy of a built checkout (run `npm run build` first): package.json,
# package-lock.json, dist/ and prisma/ in TARGET, with the production dependencies only
# (`npm ci --omit=dev`: no ts-node, no prisma CLI, no TypeScript). The Dockerfile's final stage runs
# this script; CI (.ci/run) runs it into a temp folder and starts Tender from there.
set -euo pipefail
target=${1:?usage: scripts/production-copy.sh TARGET (a new or empty folder)}
src=$(cd "$(dirname "$0")/.." && pwd)

if [ ! -f "$src/dist/apps/api/src/main.js" ]; then
  echo "production-copy: no build in $src/dist (run npm run build)" >&2
  exit 1
fi
if [ -n "$(ls -A "$target" 2>/dev/null)" ]; then
  echo "production-copy: $target is not empty" >&2
  exit 1
fi
mkdir -p "$target"
cp "$src/package.json" "$src/package-lock.json" "$target/"
cp -R "$src/dist" "$src/prisma" "$target/"
cd "$target"
# --omit=optional as well: prisma (and TypeScript with it) is an optional peer of @prisma/client, so
# npm marks it "devOptional" and --omit=dev alone keeps it (+250 MB). What goes besides: the native
# msgpackr-extract (bullmq falls back to plain JS msgpackr) and other platforms' packages. A
# dependency that needs its optional packages to work at all (platform binaries) would break here:
# the production smoke test in .ci/run runs this copy.
npm ci --omit=dev --omit=optional --no-audit --no-fund
