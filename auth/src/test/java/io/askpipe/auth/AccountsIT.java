package io.askpipe.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.db.FlywayMigrations;
import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.embedded.SharedInfrastructure;
import java.sql.DriverManager;
import java.time.Clock;
import org.jooq.SQLDialect;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AccountsIT {
    private static HikariDataSource dataSource;
    private static Accounts accounts;
    private static DatabaseSettings settings;

    @BeforeAll
    static void migrate() {
        EmbeddedPostgresServer pg = SharedInfrastructure.postgres();
        settings = new DatabaseSettings(
                pg.createDatabase(SharedInfrastructure.uniqueName("auth")), pg.user(), pg.password(), 2);
        dataSource = settings.dataSource("auth-test", Accounts.SCHEMA);
        FlywayMigrations.migrate(dataSource, Accounts.SCHEMA);
        accounts = new Accounts(DSL.using(dataSource, SQLDialect.POSTGRES), Clock.systemUTC());
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    @Test
    void anIssuedKeyAuthenticatesItsUserAndIsStoredOnlyAsAHash() throws Exception {
        User alice = accounts.createUser("alice-" + System.nanoTime());
        IssuedKey issued = accounts.issueKey(alice.id());

        assertThat(issued.secret()).startsWith("ak_").hasSize(46);
        assertThat(Accounts.wellFormed(issued.secret())).isTrue();
        assertThat(issued.key().prefix()).isEqualTo(issued.secret().substring(0, 11));
        assertThat(issued.toString()).doesNotContain(issued.secret());
        assertThat(accounts.authenticate(issued.secret()))
                .get()
                .extracting(ApiKey::userId)
                .isEqualTo(alice.id());
        assertThat(accounts.authenticate(issued.secret() + "x")).isEmpty();
        assertThat(accounts.authenticate("not-a-key")).isEmpty();
        assertThat(accounts.authenticate(null)).isEmpty();
        assertThat(accounts.findUser(alice.id())).contains(alice);
        assertThat(accounts.findKey(issued.key().id())).contains(issued.key());

        try (var c = DriverManager.getConnection(settings.jdbcUrl(), settings.user(), settings.password());
                var rs = c.createStatement()
                        .executeQuery("SELECT key_hash FROM auth.api_keys WHERE id = '"
                                + issued.key().id() + "'")) {
            rs.next();
            assertThat(rs.getString(1))
                    .isEqualTo(Accounts.hash(issued.secret()))
                    .doesNotContain(issued.secret());
        }
    }

    @Test
    void revokingAFamilyRevokesEveryKeyOfItAndNoOther() {
        User bob = accounts.createUser("bob-" + System.nanoTime());
        IssuedKey first = accounts.issueKey(bob.id());
        IssuedKey replacement = accounts.issueKey(bob.id(), first.key().familyId());
        IssuedKey other = accounts.issueKey(bob.id());

        assertThat(accounts.revokeFamily(first.key().familyId())).isEqualTo(2);

        assertThat(accounts.authenticate(first.secret())).isEmpty();
        assertThat(accounts.authenticate(replacement.secret())).isEmpty();
        assertThat(accounts.authenticate(other.secret())).isPresent();
        assertThat(accounts.findKey(first.key().id())).get().matches(ApiKey::revoked);
        assertThat(accounts.keysOf(bob.id())).hasSize(3);
        assertThat(accounts.revokeFamily(first.key().familyId()))
                .as("already revoked")
                .isZero();
    }

    @Test
    void userNamesAreUnique() {
        String name = "carol-" + System.nanoTime();
        accounts.createUser(name);
        assertThatThrownBy(() -> accounts.createUser(name)).isInstanceOf(DataAccessException.class);
        assertThat(accounts.findUserByName(name)).isPresent();
    }

    @Test
    void lookupTellsARevokedKeyAndADisabledUserFromAnUnknownKey() {
        User dave = accounts.createUser("dave-" + System.nanoTime());
        IssuedKey key = accounts.issueKey(dave.id());

        assertThat(accounts.lookup(key.secret())).get().matches(Credential::usable);
        assertThat(accounts.setDisabled(dave.id(), true)).isTrue();
        assertThat(accounts.setDisabled(dave.id(), true)).as("already disabled").isFalse();
        assertThat(accounts.lookup(key.secret())).get().satisfies(c -> {
            assertThat(c.usable()).isFalse();
            assertThat(c.user().disabled()).isTrue();
            assertThat(c.key().revoked()).isFalse();
        });
        assertThat(accounts.authenticate(key.secret())).isEmpty();

        assertThat(accounts.setDisabled(dave.id(), false)).isTrue();
        assertThat(accounts.authenticate(key.secret())).isPresent();

        accounts.revokeFamily(key.key().familyId());
        assertThat(accounts.lookup(key.secret()))
                .get()
                .satisfies(c -> assertThat(c.key().revoked()).isTrue());
        assertThat(accounts.lookup("ak_unknown")).isEmpty();
    }
}
