package intake.testing;

import intake.IntakeApplication;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;

/** A start of Intake (without a web server) that must fail, and the messages it failed with. */
public final class FailedStart {

    private FailedStart() {
    }

    /** Starts Intake with the arguments and returns why it did not start; fails the test if it did. */
    public static Throwable of(String... args) {
        SpringApplication app = new SpringApplication(IntakeApplication.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        try (ConfigurableApplicationContext ignored = app.run(args)) {
            throw new AssertionError("Intake started although it should not have");
        } catch (AssertionError e) {
            throw e;
        } catch (Throwable failure) {
            return failure;
        }
    }

    /** Every message along the failure's causes, one a line: what an operator reads in the log. */
    public static String messages(Throwable failure) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }
}
