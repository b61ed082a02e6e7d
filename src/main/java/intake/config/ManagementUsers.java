package intake.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.validation.annotation.Validated;

/**
 * The operators and scrapers who may use the management port, from
 * {@code intake.management.users.<name>.password} and {@code .roles}.
 */
@Validated
@ConfigurationProperties("intake.management")
public record ManagementUsers(@Valid Map<String, Account> users) {

    /** What a user may do: monitoring reads (health, metrics, tickets); operator does everything, replay and resume too. */
    public enum Role { MONITORING, OPERATOR }

    /** A password in Spring Security's {id}encoded form, {bcrypt} or {noop}, and at least one role. */
    public record Account(@NotBlank String password, @NotEmpty Set<Role> roles) {
    }

    // BCryptPasswordEncoder's own check: any other hash never matches, so every login would fail with 401
    private static final Pattern BCRYPT = Pattern.compile("\\{bcrypt}\\$2[aby]?\\$\\d\\d\\$[./0-9A-Za-z]{53}");

    public ManagementUsers {
        users = users == null ? Map.of() : users;
    }

    /**
     * The users as Spring Security reads them. A password not in {bcrypt} or {noop} form stops
     * start-up; the message names the setting, never the value.
     */
    InMemoryUserDetailsManager userDetails() {
        InMemoryUserDetailsManager manager = new InMemoryUserDetailsManager();
        users.forEach((name, account) -> {
            String password = account.password();
            if (!password.startsWith("{noop}") && !BCRYPT.matcher(password).matches()) {
                throw new IllegalArgumentException("intake.management.users." + name + ".password must be {bcrypt}<a BCrypt hash>"
                        + " or {noop}<the password itself>");
            }
            manager.createUser(User.withUsername(name).password(password)
                    .roles(account.roles().stream().map(Role::name).toArray(String[]::new)).build());
        });
        return manager;
    }
}
