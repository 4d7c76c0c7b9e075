package io.askpipe.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.db.FlywayMigrations;
import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.embedded.SharedInfrastructure;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AdminCommandIT {
    private static HikariDataSource dataSource;
    private static Accounts accounts;
    private static QuotaOverrides quotas;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void migrate() {
        EmbeddedPostgresServer pg = SharedInfrastructure.postgres();
        DatabaseSettings settings = new DatabaseSettings(
                pg.createDatabase(SharedInfrastructure.uniqueName("admin")), pg.user(), pg.password(), 2);
        dataSource = settings.dataSource("admin-test", Accounts.SCHEMA);
        FlywayMigrations.migrate(dataSource, Accounts.SCHEMA);
        accounts = new Accounts(DSL.using(dataSource, SQLDialect.POSTGRES), Clock.systemUTC());
        quotas = new QuotaOverrides(DSL.using(dataSource, SQLDialect.POSTGRES), Clock.systemUTC());
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    private int admin(String... args) {
        out.reset();
        err.reset();
        return new AdminCommand(
                        accounts,
                        quotas,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8))
                .run(List.of(args));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8).strip();
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void createsAUserIssuesAKeyOnceAndRevokesItsFamily() {
        String name = "erin-" + System.nanoTime();
        assertThat(admin("create-user", name)).isZero();
        String userId = out();
        assertThat(accounts.findUser(userId)).get().extracting(User::name).isEqualTo(name);
        assertThat(admin("create-user", name)).as("names are unique").isEqualTo(1);

        assertThat(admin("issue-key", name)).isZero();
        String secret = out();
        assertThat(secret).startsWith("ak_");
        assertThat(err()).contains("not shown again").doesNotContain(secret);
        ApiKey key = accounts.authenticate(secret).orElseThrow();
        assertThat(key.userId()).isEqualTo(userId);

        assertThat(admin("issue-key", userId, key.familyId()))
                .as("a replacement, by user id")
                .isZero();
        String replacement = out();
        assertThat(accounts.authenticate(replacement))
                .get()
                .extracting(ApiKey::familyId)
                .isEqualTo(key.familyId());

        assertThat(admin("list-keys", name)).isZero();
        assertThat(out())
                .contains(key.id(), key.prefix())
                .doesNotContain(secret)
                .doesNotContain(replacement);

        assertThat(admin("revoke-family", key.familyId())).isZero();
        assertThat(out()).isEqualTo("2");
        assertThat(accounts.authenticate(secret)).isEmpty();
        assertThat(accounts.authenticate(replacement)).isEmpty();
    }

    @Test
    void disablesAndEnablesAUser() {
        String name = "frank-" + System.nanoTime();
        admin("create-user", name);
        admin("issue-key", name);
        String secret = out();

        assertThat(admin("disable-user", name)).isZero();
        assertThat(accounts.authenticate(secret)).isEmpty();
        assertThat(admin("list-users")).isZero();
        assertThat(out()).containsPattern(name + " .*\\d{4}-\\d\\d-\\d\\dT.*\\d{4}-\\d\\d-\\d\\dT");

        assertThat(admin("enable-user", name)).isZero();
        assertThat(accounts.authenticate(secret)).isPresent();
    }

    @Test
    void refusesWhatItCannotDo() {
        assertThat(admin()).isEqualTo(2);
        assertThat(err()).contains("usage: askpipe admin");
        assertThat(admin("launch-rockets")).isEqualTo(2);
        assertThat(admin("create-user", "bad name with spaces")).isEqualTo(2);
        assertThat(admin("issue-key", "nobody-" + System.nanoTime())).isEqualTo(1);
        assertThat(err()).contains("no user called");
        assertThat(out()).isEmpty();

        String name = "gina-" + System.nanoTime();
        admin("create-user", name);
        assertThat(admin("issue-key", name, "some-other-family")).isEqualTo(1);
        assertThat(out()).isEmpty();
        assertThat(admin("revoke-family", "no-such-family")).isZero();
        assertThat(out()).isEqualTo("0");
    }

    @Test
    void migrateOnlySaysTheSchemaIsUpToDate() {
        assertThat(admin("migrate")).isZero();
        assertThat(out()).isEmpty();
        assertThat(err()).contains("schema auth is up to date");
        assertThat(admin("migrate", "now")).isEqualTo(2);
    }

    @Test
    void setsShowsAndClearsAUsersQuotaOverrides() {
        String name = "quinn-" + System.nanoTime();
        assertThat(admin("create-user", name)).isZero();
        String userId = out();
        assertThat(admin("show-quota", name)).isZero();
        assertThat(out()).isEqualTo("rpm default\nin-flight default\nmonthly-tokens default");

        assertThat(admin("set-quota", name, "--rpm", "60", "--monthly-tokens", "0"))
                .isZero();
        assertThat(quotas.of(userId)).isEqualTo(new QuotaOverride(Optional.of(60), Optional.empty(), Optional.of(0L)));
        assertThat(admin("set-quota", userId, "--in-flight", "5"))
                .as("by id; the others kept")
                .isZero();
        assertThat(out()).isEqualTo("rpm 60\nin-flight 5\nmonthly-tokens unlimited");
        assertThat(admin("show-quota", name)).isZero();
        assertThat(out()).isEqualTo("rpm 60\nin-flight 5\nmonthly-tokens unlimited");

        assertThat(admin("set-quota", name, "--rpm", "-1")).as("negative").isEqualTo(2);
        assertThat(admin("set-quota", name, "--rpm", "3000000000"))
                .as("beyond an int")
                .isEqualTo(2);
        assertThat(admin("set-quota", name, "--burst", "3")).as("unknown flag").isEqualTo(2);
        assertThat(admin("set-quota", name, "--rpm")).as("no value").isEqualTo(2);
        assertThat(admin("set-quota", "nobody-" + System.nanoTime(), "--rpm", "1"))
                .isEqualTo(1);
        assertThat(quotas.of(userId).rpm()).as("unchanged by the refusals").contains(60);

        assertThat(admin("clear-quota", name)).isZero();
        assertThat(quotas.of(userId)).isEqualTo(QuotaOverride.NONE);
        assertThat(admin("clear-quota", name)).isZero();
        assertThat(err()).contains("had no quota overrides");
    }
}
