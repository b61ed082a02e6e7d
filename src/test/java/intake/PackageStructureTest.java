package intake;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.Test;

/**
 * Intake's packages depend on each other in one direction only: the channels and the edge on
 * ingress, ingress on the ticket, publish on both, the outbox on publish, the consumer on the agent,
 * and config (the wiring) on all of them; none of them back on config. A cycle means two packages
 * that can only change together.
 */
class PackageStructureTest {

    private static final JavaClasses INTAKE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("intake");

    @Test
    void thePackagesHaveNoCycles() {
        EvaluationResult cycles = slices().matching("intake.(*)..").should().beFreeOfCycles().evaluate(INTAKE);

        assertThat(cycles.hasViolation()).as("package cycles:%n%s", cycles.getFailureReport()).isFalse();
    }
}
