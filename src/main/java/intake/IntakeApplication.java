package intake;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.security.servlet.SecurityFilterAutoConfiguration;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Intake's Spring Boot shell: configuration binding, the web server and actuator around the Camel routes. */
// Spring Security guards the management port only: it must not put its filter on the public port (ManagementSecurity)
@SpringBootApplication(exclude = SecurityFilterAutoConfiguration.class)
@ConfigurationPropertiesScan
public class IntakeApplication {

    public static void main(String[] args) {
        SpringApplication.run(IntakeApplication.class, args);
    }
}
