package io.askpipe.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.common.DatabaseSettings;
import io.askpipe.common.Schemas;
import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.embedded.SharedInfrastructure;
import io.askpipe.schemas.AskError;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.AskStatus;
import io.askpipe.schemas.Usage;
import java.time.Clock;
import java.time.Instant;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AskRepositoryIT {
    private static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");
    private static com.zaxxer.hikari.HikariDataSource dataSource;
    private static AskRepository asks;

    @BeforeAll
    static void migrate() {
        EmbeddedPostgresServer pg = SharedInfrastructure.postgres();
        String url = pg.createDatabase(SharedInfrastructure.uniqueName("repo"));
        dataSource = new DatabaseSettings(url, pg.user(), pg.password(), 2).dataSource("test", StoreSchema.SCHEMA);
        Schemas.migrate(dataSource, StoreSchema.SCHEMA);
        asks = new AskRepository(DSL.using(dataSource, SQLDialect.POSTGRES), Clock.systemUTC());
    }

    @AfterAll
    static void close() {
        dataSource.close();
    }

    private static AskRequest ask(String id) {
        return new AskRequest(id, "alice", "k-" + id, "prompt", "gpt-x", null, T0);
    }

    @Test
    void queuedAskBecomesSucceededWithTheWholeEnvelope() {
        String id = "00000000-0000-7000-8000-000000000001";
        asks.upsert(ask(id), null);
        assertThat(asks.find(id)).get().satisfies(v -> {
            assertThat(v.status()).isEqualTo(AskStatus.QUEUED);
            assertThat(v.result()).isNull();
            assertThat(v.acceptedAt()).isEqualTo(T0);
        });

        asks.upsert(ask(id), AskResult.succeeded(id, "dryrun", "m", "42", Usage.of(2, 3), 17, 1, T0.plusSeconds(2)));
        AskView view = asks.find(id).orElseThrow();
        assertThat(view.status()).isEqualTo(AskStatus.SUCCEEDED);
        assertThat(view.result()).isEqualTo(new AskView.Envelope("dryrun", "m", "42", new Usage(2, 3, 5), 17, id));
        assertThat(view.completedAt()).isEqualTo(T0.plusSeconds(2));
        assertThat(view.attempts()).isEqualTo(1);
        assertThat(view.error()).isNull();
    }

    @Test
    void firstTerminalResultWinsAndReplaysChangeNothing() {
        String id = "00000000-0000-7000-8000-000000000002";
        AskResult first = AskResult.failed(id, "openai", "gpt-x", new AskError("timeout", "slow", 503), 30_000, 1, T0);
        asks.upsert(ask(id), first);
        asks.upsert(ask(id), AskResult.succeeded(id, "dryrun", "m", "late", Usage.NONE, 1, 1, T0));
        asks.upsert(ask(id), null);

        AskView view = asks.find(id).orElseThrow();
        assertThat(view.status()).isEqualTo(AskStatus.FAILED);
        assertThat(view.error()).isEqualTo(new AskError("timeout", "slow", 503));
        assertThat(view.result().answer()).isNull();
    }

    @Test
    void unknownIdIsEmpty() {
        assertThat(asks.find("00000000-0000-7000-8000-0000000000ff")).isEmpty();
    }
}
