# The production form of Intake: the packaged jar extracted (the application jar plus lib/, which
# starts faster than the nested fat jar) on a Java 25 JRE, launched by bin/intake: Spring AOT's
# initializers and the JVM's AOT cache (docs/runbook.md#start-up-time). Build the jar first:
#   ./mvnw -DskipTests package && docker build -t intake:0.1.0 .
# The cache is trained by the first start and written when it exits, into /app/archive: mount a
# volume there to keep it across containers (without one, each new container trains again).
# Writing it takes 10-20 s, more than docker stop's default 10 s: stop that first one with -t 60.
FROM eclipse-temurin:25-jre
# curl for docker-compose.yml's healthcheck: the Java 25 images no longer ship it (Kubernetes probes
# need nothing: they call /actuator/health/* themselves)
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 intake
WORKDIR /app
COPY target/intake-0.1.0-SNAPSHOT.jar /tmp/intake.jar
RUN java -Djarmode=tools -jar /tmp/intake.jar extract --destination /app && rm /tmp/intake.jar \
    && mkdir /app/archive && chown intake /app/archive
COPY bin/intake /app/bin/intake
USER 10001
# bin/intake runs the JVM with -XX:+ExitOnOutOfMemoryError: the container exits and is restarted.
ENV INTAKE_ARCHIVE_DIR=/app/archive JAVA_OPTS="-XX:MaxRAMPercentage=75"
# 8080: the channels; 8081: the actuator, for operators only
EXPOSE 8080 8081
ENTRYPOINT ["/app/bin/intake", "/app"]
