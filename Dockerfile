# The production form of Intake: the packaged jar, extracted (Spring Boot's efficient layout: the
# application jar plus lib/, which starts faster than the nested fat jar), on a JRE. Build the jar first:
#   ./mvnw -DskipTests package && docker build -t intake:0.1.0 .
FROM eclipse-temurin:17.0.15_6-jre
RUN useradd --system --uid 10001 intake
WORKDIR /app
COPY target/intake-0.1.0-SNAPSHOT.jar /tmp/intake.jar
RUN java -Djarmode=tools -jar /tmp/intake.jar extract --destination /app && rm /tmp/intake.jar
USER 10001
# 8080: the channels; 8081: the actuator, for operators only
EXPOSE 8080 8081
# docs/runbook.md#start-up-time: add -XX:SharedArchiveFile= with an archive trained for this build
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/intake-0.1.0-SNAPSHOT.jar"]
