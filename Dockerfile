# Build stage: the same Maven build as scripts/run, tests left to CI.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
COPY src src
RUN mvn -B -q -DskipTests package

# Run stage: a JRE, the jar, the default configuration; the engine runs as a non-root user.
FROM eclipse-temurin:17-jre
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --create-home --uid 10001 nexus \
 && mkdir -p /app/data \
 && chown nexus /app/data
WORKDIR /app
COPY --from=build /src/target/carbon-nexus-engine.jar /app/carbon-nexus-engine.jar
COPY conf /app/conf
USER nexus

# Same NEXUS_* variables as everywhere (see README). Inside a container the server must listen
# on all interfaces to be reachable through the published port; the embedded PostgreSQL keeps
# its data in the /app/data volume. Set NEXUS_DB_URL to use an external PostgreSQL instead.
ENV NEXUS_HTTP_HOST=0.0.0.0 \
    NEXUS_HTTP_PORT=8080 \
    NEXUS_DB_EMBEDDED_DATA_DIR=/app/data/postgres
EXPOSE 8080
VOLUME /app/data

HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD curl -fsS "http://127.0.0.1:${NEXUS_HTTP_PORT}/health" > /dev/null || exit 1

ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/carbon-nexus-engine.jar"]
