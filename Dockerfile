# The auto-batch-cleanup Cloud Run Job and the analyze-healing CLI in one image.
#   docker run IMAGE                              runs the job (the default command)
#   docker run IMAGE analyze-healing --help       runs the CLI
# deploy/deploy.sh builds it with Cloud Build; deploy/dockerImage.integration.test.ts rebuilds what it copies
# in a clean folder and runs both programs there, since these machines have no Docker engine.

FROM node:22-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY schemas ./schemas
COPY shared ./shared
COPY jobs ./jobs
COPY cli ./cli
RUN npm run build

FROM node:22-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY schemas ./schemas
COPY --from=build /app/dist ./dist
COPY deploy/image-entrypoint.sh ./image-entrypoint.sh
USER node
ENTRYPOINT ["/bin/sh", "/app/image-entrypoint.sh"]
CMD ["auto-batch-cleanup"]
