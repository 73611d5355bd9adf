# One image for both process roles; docker-compose.yml picks ROLE per service.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/artifacts ./artifacts
COPY --from=build /app/scripts ./scripts
COPY --from=build /app/hardhat.config.js ./
COPY package.json ./
USER node
EXPOSE 3000
CMD ["node", "dist/src/main.js"]
