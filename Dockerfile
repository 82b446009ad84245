# syntax=docker/dockerfile:1
#
# One image definition for all six services. Build one with the MODULE build argument:
#
#   docker build --build-arg MODULE=memory-service -t agency/memory-service .
#
# docker-compose.yml does this for every service. The default target (runtime, the last stage) builds the module's
# Spring Boot jar with the Maven Wrapper (tests are run by CI, not here), splits it into layers (dependencies change
# far less often than application classes, so image pushes and pulls move only the top layer) and puts them on a
# JRE-only, non-root runtime.
#
# Target runtime-prebuilt takes a jar built outside instead (no Maven inside the build, no network needed): the
# context must hold <module>/target/<module>.jar, which this repository's .dockerignore leaves out, so give it a
# context of its own. ./platform compose-test does that, with a local Debian base standing in for the public images:
#
#   podman build --target runtime-prebuilt --build-arg MODULE=auth-service \
#     --build-arg JDK_IMAGE=localhost/agency/base:bookworm --build-arg JRE_IMAGE=localhost/agency/base:bookworm \
#     -f Dockerfile -t agency/auth-service:local <dir with auth-service/target/auth-service.jar>

ARG JDK_IMAGE=eclipse-temurin:25-jdk-noble
ARG JRE_IMAGE=eclipse-temurin:25-jre-noble

# the runtime every target shares: non-root user, healthcheck, JVM settings (the application's layers come on top)
FROM ${JRE_IMAGE} AS runtime-base
ARG MODULE
LABEL org.opencontainers.image.title="${MODULE}" \
      org.opencontainers.image.licenses="Apache-2.0"
# Non-root, fixed uid/gid so Kubernetes runAsNonRoot can verify it; /tmp stays the one writable place (native
# libraries of ONNX Runtime, DJL tokenizers and JAVE's ffmpeg are unpacked there at run time).
RUN groupadd --system --gid 10001 agency \
 && useradd --system --uid 10001 --gid agency --home-dir /tmp --no-create-home --shell /usr/sbin/nologin agency
# Tiny readiness check for docker compose: no curl in the JRE image, so plain bash /dev/tcp.
RUN printf '%s\n' '#!/bin/bash' \
      '# usage: healthcheck [path]   (default /actuator/health/readiness, port $MANAGEMENT_SERVER_PORT, $SERVER_PORT or 8080)' \
      'path=${1:-/actuator/health/readiness}; port=${MANAGEMENT_SERVER_PORT:-${SERVER_PORT:-8080}}' \
      'exec 3<>/dev/tcp/127.0.0.1/$port || exit 1' \
      'printf "GET %s HTTP/1.0\r\nHost: localhost\r\n\r\n" "$path" >&3' \
      'IFS= read -r -t 5 status <&3 || exit 1' \
      '[[ $status == *" 200"* ]]' > /usr/local/bin/healthcheck \
 && chmod 0755 /usr/local/bin/healthcheck
WORKDIR /app
ENV HOME=/tmp \
    DJL_CACHE_DIR=/tmp/.djl.ai \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError --enable-native-access=ALL-UNNAMED -Djava.io.tmpdir=/tmp"
USER 10001:10001
EXPOSE 8080-8085 9080
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]

# ---- target runtime-prebuilt: a jar built outside (./platform compose-test)
FROM ${JDK_IMAGE} AS prebuilt-layers
ARG MODULE
RUN test -n "$MODULE" || (echo "build arg MODULE is required (e.g. --build-arg MODULE=auth-service)" >&2; exit 1)
WORKDIR /layers
COPY ${MODULE}/target/${MODULE}.jar app.jar
RUN java -Djarmode=tools -jar app.jar extract --layers --launcher --destination extracted

FROM runtime-base AS runtime-prebuilt
COPY --from=prebuilt-layers /layers/extracted/dependencies/ ./
COPY --from=prebuilt-layers /layers/extracted/spring-boot-loader/ ./
COPY --from=prebuilt-layers /layers/extracted/snapshot-dependencies/ ./
COPY --from=prebuilt-layers /layers/extracted/application/ ./

# ---- default target: build the jar here with the Maven Wrapper
FROM ${JDK_IMAGE} AS build
ARG MODULE
RUN test -n "$MODULE" || (echo "build arg MODULE is required (e.g. --build-arg MODULE=auth-service)" >&2; exit 1)
WORKDIR /src
# the whole reactor (filtered by .dockerignore): -pl/-am needs every module's pom; ~/.m2 is a BuildKit cache
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -q -pl "$MODULE" -am package -Dmaven.test.skip=true -Dspotless.check.skip=true \
 && cp "$MODULE/target/$MODULE.jar" /tmp/app.jar

FROM ${JDK_IMAGE} AS layers
WORKDIR /layers
COPY --from=build /tmp/app.jar app.jar
# dependencies/ spring-boot-loader/ snapshot-dependencies/ application/ (Spring Boot's default layers.idx)
RUN java -Djarmode=tools -jar app.jar extract --layers --launcher --destination extracted

FROM runtime-base AS runtime
COPY --from=layers /layers/extracted/dependencies/ ./
COPY --from=layers /layers/extracted/spring-boot-loader/ ./
COPY --from=layers /layers/extracted/snapshot-dependencies/ ./
COPY --from=layers /layers/extracted/application/ ./
