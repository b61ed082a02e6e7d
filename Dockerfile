# The production form of Intake: the packaged jar on a JRE. Build the jar first:
#   ./mvnw -DskipTests package && docker build -t intake:0.1.0 .
FROM eclipse-temurin:17.0.15_6-jre
RUN useradd --system --uid 10001 intake
WORKDIR /app
COPY target/intake-0.1.0-SNAPSHOT.jar /app/intake.jar
USER 10001
# 8080: the channels; 8081: the actuator, for operators only
EXPOSE 8080 8081
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/intake.jar"]
