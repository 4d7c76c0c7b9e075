package io.askpipe.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.askpipe.auth.AuthService;
import io.askpipe.auth.AuthSettings;
import io.askpipe.common.config.Env;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.http.HttpServers;
import io.askpipe.common.http.HttpSettings;
import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.embedded.SharedInfrastructure;
import io.askpipe.ingest.IngestConfig;
import io.askpipe.ingest.IngestService;
import io.askpipe.router.RouterConfig;
import io.askpipe.router.RouterService;
import io.askpipe.store.StoreConfig;
import io.askpipe.store.StoreService;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The database roles of the compose deployment, on a real PostgreSQL: the init script the postgres
 * container runs ({@code deploy/postgres/askpipe-roles.sql}, with its psql variables set as {@code
 * askpipe-roles.sh} sets them), then schema {@code auth} migrated by its owner as the compose file's
 * {@code accounts} step does, then the three services started each as its own role, running their
 * migrations and answering an ask; and what each role cannot reach.
 */
class DatabaseRolesIT {
    private static final Path ROLES_SQL = Path.of("../deploy/postgres/askpipe-roles.sql");
    /** Each role, its psql password variable and the schema it owns. */
    private static final Map<String, String> SCHEMAS = Map.of(
            "askpipe_auth", "auth", "askpipe_ingest", "ingest", "askpipe_router", "router", "askpipe_store", "store");
    /** A table of each schema once migrated. */
    private static final Map<String, String> TABLES = Map.of(
            "auth", "auth.users", "ingest", "ingest.idempotency", "router", "router.results", "store", "store.asks");

    private static final Map<String, String> passwords = new HashMap<>();
    private static final Deque<AutoCloseable> started = new ArrayDeque<>();
    private static String jdbcUrl;
    private static String bearer;
    private static URI base;

    @BeforeAll
    static void start() throws Exception {
        EmbeddedPostgresServer pg = SharedInfrastructure.postgres();
        String superuserUrl = pg.createDatabase(SharedInfrastructure.uniqueName("roles"));
        // the embedded server's URL names its superuser, which would win over every role below
        jdbcUrl = superuserUrl.replaceFirst("\\?.*$", "");
        SecureRandom random = new SecureRandom();
        Map<String, String> variables = new LinkedHashMap<>();
        for (String role : SCHEMAS.keySet()) {
            byte[] secret = new byte[18];
            random.nextBytes(secret);
            // a quote in a password must survive psql's :'variable' quoting
            String password = "p'" + Base64.getUrlEncoder().encodeToString(secret);
            passwords.put(role, password);
            variables.put(role.substring("askpipe_".length()) + "_password", password);
        }
        try (Connection admin = DriverManager.getConnection(superuserUrl, pg.user(), pg.password());
                Statement statement = admin.createStatement()) {
            statement.execute(withPsqlVariables(Files.readString(ROLES_SQL), variables));
        }

        // the accounts step: askpipe_auth migrates its schema and, as `askpipe admin`, issues a key
        try (AuthService accounts =
                AuthService.start(database("askpipe_auth"), new AuthSettings(Duration.ofSeconds(1)))) {
            var user = accounts.accounts().createUser("roles");
            bearer = "Bearer " + accounts.accounts().issueKey(user.id()).secret();
        }

        String prefix = SharedInfrastructure.uniqueName("roles") + ".";
        Map<String, String> common = Map.of(
                "KAFKA_BOOTSTRAP_SERVERS",
                SharedInfrastructure.kafka().bootstrapServers(),
                "KAFKA_TOPIC_PREFIX",
                prefix,
                "KAFKA_TOPIC_PARTITIONS",
                "2",
                "ROUTER_GROUP_ID",
                prefix + "router",
                "STORE_APPLICATION_ID",
                prefix + "store",
                "DATABASE_URL",
                jdbcUrl,
                "HTTP_HOST",
                "127.0.0.1");
        StoreService store =
                push(StoreService.start(StoreConfig.fromEnv(env(common, "askpipe_store")), new SimpleMeterRegistry()));
        push(RouterService.start(RouterConfig.fromEnv(env(common, "askpipe_router")), new SimpleMeterRegistry()));
        IngestService ingest = push(
                IngestService.start(IngestConfig.fromEnv(env(common, "askpipe_ingest")), new SimpleMeterRegistry()));

        Vertx vertx = Vertx.vertx();
        started.push(() -> vertx.close().await());
        Router router = HttpServers.baseRouter(vertx);
        ingest.mount(router);
        store.mount(router);
        HttpServer server = HttpServers.start(vertx, router, new HttpSettings("127.0.0.1", 0));
        base = URI.create("http://127.0.0.1:" + server.actualPort());
    }

    @AfterAll
    static void stop() {
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (Exception e) {
                // stop the rest regardless
            }
        }
    }

    @Test
    void eachServiceMigratesAndRunsAsItsOwnRole() throws Exception {
        AskClient client = new AskClient(base, "roles", Duration.ofSeconds(10));
        var submitted = client.submit(bearer.substring("Bearer ".length()), 1);
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
        String id = AskClient.requestId(submitted);
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> AskClient.json(
                                client.get(bearer.substring("Bearer ".length()), "/v1/ask/" + id + "?wait=5"))
                        .get("status")
                        .asText()
                        .equals("succeeded"));

        // every schema was migrated by the role that owns it, none by the superuser
        for (Map.Entry<String, String> owned : SCHEMAS.entrySet()) {
            assertThat(query(
                            owned.getKey(),
                            "SELECT tableowner FROM pg_tables WHERE schemaname = '" + owned.getValue()
                                    + "' AND tablename = 'flyway_schema_history'"))
                    .as("schema %s", owned.getValue())
                    .isEqualTo(owned.getKey());
        }
    }

    @Test
    void aRoleReachesOnlyItsOwnSchemaAndTheServicesOnlyReadAccounts() throws Exception {
        for (String role : SCHEMAS.keySet()) {
            String own = SCHEMAS.get(role);
            assertThat(query(role, "SELECT count(*) FROM " + TABLES.get(own)))
                    .as(role)
                    .isNotNull();
            for (String other : TABLES.keySet()) {
                boolean readsAccounts = other.equals("auth")
                        && List.of("askpipe_ingest", "askpipe_store").contains(role);
                if (other.equals(own) || readsAccounts) {
                    continue;
                }
                assertDenied(role, "SELECT count(*) FROM " + TABLES.get(other));
                assertDenied(role, "CREATE TABLE " + other + ".intruder (id int)");
            }
            assertDenied(role, "CREATE TABLE public.intruder (id int)");
        }
        for (String reader : List.of("askpipe_ingest", "askpipe_store")) {
            assertThat(query(reader, "SELECT count(*) FROM auth.api_keys"))
                    .as(reader)
                    .isEqualTo("1");
            assertDenied(reader, "UPDATE auth.api_keys SET revoked_at = now()");
            assertDenied(reader, "INSERT INTO auth.users (id, name, created_at) VALUES ('x', 'x', now())");
            assertDenied(reader, "DELETE FROM auth.users");
        }
        // the webhook signing secrets are the store's alone
        assertDenied("askpipe_ingest", "SELECT count(*) FROM store.webhook_secrets");
        assertDenied("askpipe_router", "SELECT count(*) FROM store.webhook_secrets");
    }

    /**
     * {@code sql} with each {@code :'name'} replaced by the value of psql variable {@code name}
     * quoted as an SQL literal, as psql does; an unknown variable fails, as {@code ON_ERROR_STOP}
     * would.
     */
    static String withPsqlVariables(String sql, Map<String, String> variables) {
        Matcher reference = Pattern.compile(":'([A-Za-z0-9_]+)'").matcher(sql);
        StringBuilder out = new StringBuilder();
        while (reference.find()) {
            String value = variables.get(reference.group(1));
            assertThat(value).as("psql variable %s", reference.group(1)).isNotNull();
            reference.appendReplacement(out, Matcher.quoteReplacement("'" + value.replace("'", "''") + "'"));
        }
        reference.appendTail(out);
        return out.toString();
    }

    private static Env env(Map<String, String> common, String role) {
        Map<String, String> vars = new HashMap<>(common);
        vars.put("DATABASE_USER", role);
        vars.put("DATABASE_PASSWORD", passwords.get(role));
        return Env.of(vars);
    }

    private static DatabaseSettings database(String role) {
        return DatabaseSettings.fromEnv(Env.of(
                Map.of("DATABASE_URL", jdbcUrl, "DATABASE_USER", role, "DATABASE_PASSWORD", passwords.get(role))));
    }

    private static <T extends AutoCloseable> T push(T service) {
        started.push(service);
        return service;
    }

    private static String query(String role, String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(jdbcUrl, role, passwords.get(role));
                Statement statement = connection.createStatement();
                var rows = statement.executeQuery(sql)) {
            return rows.next() ? rows.getString(1) : null;
        }
    }

    private static void assertDenied(String role, String sql) {
        assertThatThrownBy(() -> {
                    try (Connection connection = DriverManager.getConnection(jdbcUrl, role, passwords.get(role));
                            Statement statement = connection.createStatement()) {
                        statement.execute(sql);
                    }
                })
                .as("%s: %s", role, sql)
                .isInstanceOfSatisfying(
                        SQLException.class,
                        e -> assertThat(e.getSQLState())
                                .as("insufficient privilege")
                                .isEqualTo("42501"));
    }
}
