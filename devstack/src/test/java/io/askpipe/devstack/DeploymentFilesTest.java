package io.askpipe.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.askpipe.common.catalog.BackendCatalog;
import io.askpipe.common.config.Env;
import io.askpipe.common.kafka.AskSizes;
import io.askpipe.common.service.HealthProbe;
import io.askpipe.schemas.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The deployment files at the repository root, checked without Docker: docker-compose.yml (the
 * cluster, the services and their settings, the images the build makes and their health checks, no
 * secret in the file and only the client port published, a database role per service) with its
 * {@code .env.example} and the postgres init script, the gateway, Prometheus' configuration and
 * recording rules, and the Grafana dashboard. {@code promtool} checks the Prometheus files too where it is
 * installed.
 */
class DeploymentFilesTest {
    private static final Path ROOT = Path.of("..");
    private static final Path DEPLOY = ROOT.resolve("deploy");
    private static final List<String> ASKPIPE = List.of("ingest-1", "ingest-2", "router-1", "router-2", "result-store");

    @Test
    void composeRunsAThreeBrokerKraftClusterAtReplicationFactorThree() throws IOException {
        Map<String, Map<String, Object>> services = services();

        Set<String> nodeIds = new HashSet<>();
        Set<String> clusterIds = new HashSet<>();
        for (String broker : List.of("kafka-1", "kafka-2", "kafka-3")) {
            Map<String, Object> service = services.get(broker);
            assertThat((String) service.get("image")).startsWith("apache/kafka:");
            Map<String, Object> env = env(service);
            assertThat(env.get("KAFKA_PROCESS_ROLES")).isEqualTo("broker,controller");
            assertThat(env.get("KAFKA_CONTROLLER_QUORUM_VOTERS"))
                    .isEqualTo("1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093");
            assertThat(env.get("KAFKA_ADVERTISED_LISTENERS")).isEqualTo("PLAINTEXT://" + broker + ":9092");
            assertThat(env.get("KAFKA_DEFAULT_REPLICATION_FACTOR")).hasToString("3");
            assertThat(env.get("KAFKA_MIN_INSYNC_REPLICAS")).hasToString("2");
            assertThat(env.get("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR")).hasToString("2");
            // fenced, and out of the in-sync replicas, within ingest's publish timeout
            assertThat(env.get("KAFKA_BROKER_SESSION_TIMEOUT_MS")).hasToString("3000");
            nodeIds.add(String.valueOf(env.get("KAFKA_NODE_ID")));
            clusterIds.add(String.valueOf(env.get("CLUSTER_ID")));
        }
        assertThat(nodeIds).containsExactlyInAnyOrder("1", "2", "3");
        assertThat(clusterIds).hasSize(1);
        assertThat(Base64.getUrlDecoder().decode(clusterIds.iterator().next()))
                .as("a cluster id is a base64 UUID")
                .hasSize(16);
    }

    @Test
    void everyAskpipeServiceUsesTheClusterAtRf3AndIsCheckedByReadyz() throws IOException {
        Map<String, Map<String, Object>> services = services();
        String operations = Files.readString(ROOT.resolve("docs/operations.md"));

        Set<String> instanceIds = new HashSet<>();
        for (String name : ASKPIPE) {
            Map<String, Object> service = services.get(name);
            assertThat((String) service.get("image")).as(name).startsWith("askpipe/");
            Map<String, Object> env = env(service);
            assertThat(env.get("KAFKA_BOOTSTRAP_SERVERS")).isEqualTo("kafka-1:9092,kafka-2:9092,kafka-3:9092");
            assertThat(env.get("KAFKA_REPLICATION_FACTOR")).hasToString("3");
            assertThat(env.get("KAFKA_MIN_INSYNC_REPLICAS")).hasToString("2");
            assertThat(env.get("ASKPIPE_PROFILE")).isEqualTo("prod");
            for (String variable : env.keySet()) {
                assertThat(operations)
                        .as("%s of %s is documented", variable, name)
                        .contains("`" + variable + "`");
            }
            Map<?, ?> health = (Map<?, ?>) service.get("healthcheck");
            assertThat(String.valueOf(health.get("test"))).as(name).contains("/readyz");
            if (env.containsKey("KAFKA_GROUP_INSTANCE_ID")) {
                assertThat(instanceIds.add((String) env.get("KAFKA_GROUP_INSTANCE_ID")))
                        .as("two processes never share a static member id")
                        .isTrue();
            }
        }
        assertThat(instanceIds).contains("router-1", "router-2", "result-store");
    }

    @Test
    void composeRunsTheImagesTheBuildMakesAndChecksThemWithTheirOwnJava() throws IOException {
        Map<String, Map<String, Object>> services = services();
        Matcher version = Pattern.compile("<artifactId>askpipe-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertThat(version.find()).isTrue();
        assertThat(Files.readString(ROOT.resolve("pom.xml")))
                .contains("<image.prefix>askpipe</image.prefix>", "<user>65532:65532</user>");

        for (String name : ASKPIPE) {
            Map<String, Object> service = services.get(name);
            String image = (String) service.get("image");
            String module = image.substring("askpipe/".length(), image.indexOf(':'));
            assertThat(image).as(name).isEqualTo("askpipe/" + module + ":" + version.group(1));
            assertThat(Files.readString(ROOT.resolve(module).resolve("pom.xml")))
                    .as("%s builds the image %s runs", module, name)
                    .contains("<image.name>" + module + "</image.name>");
            assertThat(service.get("mem_limit"))
                    .as("%s has a memory limit to size its heap from", name)
                    .isNotNull();
            assertThat(String.valueOf(service.get("stop_grace_period")))
                    .as("%s may drain for longer than the router's 30 s grace", name)
                    .isEqualTo("45s");

            // no shell, no curl in the images: the image's java runs the probe from the service's classpath
            List<String> test = ((List<?>) ((Map<?, ?>) service.get("healthcheck")).get("test"))
                    .stream().map(String::valueOf).toList();
            assertThat(test).as(name).startsWith("CMD", "java").doesNotContain("bash", "sh", "CMD-SHELL", "curl");
            assertThat(test)
                    .as(name)
                    .containsSubsequence("-cp", "@/app/jib-classpath-file", HealthProbe.class.getName(), "/readyz");
        }

        // the result store keeps no local state (it joins in PostgreSQL): no state directory, no volume
        Map<String, Object> store = services.get("result-store");
        assertThat(env(store)).doesNotContainKey("STORE_STATE_DIR");
        assertThat(store).doesNotContainKey("volumes");
        assertThat(Files.readString(ROOT.resolve("result-store/pom.xml"))).doesNotContain("STORE_STATE_DIR");
    }

    @Test
    void oneClientPortSendsSubmitsToBothIngestApisAndReadsToTheStore() throws IOException {
        Map<String, Object> gateway = services().get("gateway");
        assertThat(String.valueOf(gateway.get("ports"))).isEqualTo("[8080:8080]");

        String conf = Files.readString(DEPLOY.resolve("nginx/askpipe.conf"));
        assertThat(conf).contains("server ingest-1:8080", "server ingest-2:8080", "server result-store:8080");
        assertThat(conf).contains("location = /v1/ask {", "location = /v1/chat/completions {");
    }

    @Test
    void theDropInRouteGoesToIngestAndOutlastsItsWait() throws IOException {
        Nginx completions = location(
                Nginx.only(Nginx.parse(Files.readString(DEPLOY.resolve("nginx/askpipe.conf"))), "server"),
                "/v1/chat/completions");
        assertThat(Nginx.only(completions.children(), "proxy_pass").args()).containsExactly("http://ingest");
        String timeout =
                Nginx.only(completions.children(), "proxy_read_timeout").args().getFirst();
        assertThat(Duration.ofSeconds(Long.parseLong(timeout.replace("s", ""))))
                .as("the proxy waits longer than ingest waits for the result")
                .isGreaterThan(io.askpipe.ingest.IngestConfig.CHAT_COMPLETIONS_WAIT.defaultValue());
    }

    @Test
    void theCancelRouteGoesToIngestAndOnlyIt() throws IOException {
        Nginx server = Nginx.only(Nginx.parse(Files.readString(DEPLOY.resolve("nginx/askpipe.conf"))), "server");
        Nginx cancel = server.children().stream()
                .filter(d -> d.name().equals("location") && d.args().getFirst().equals("~"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no regex location for the cancel route"));
        java.util.regex.Pattern path =
                java.util.regex.Pattern.compile(cancel.args().get(1));

        assertThat(Nginx.only(cancel.children(), "proxy_pass").args()).containsExactly("http://ingest");
        assertThat(path.matcher("/v1/ask/0195f1a8-7b6e-7c3d-9a2b-4f5e6d7c8b9a/cancel")
                        .find())
                .isTrue();
        assertThat(path.matcher("/v1/ask/0195f1a8-7b6e-7c3d-9a2b-4f5e6d7c8b9a").find())
                .as("reads stay with the store")
                .isFalse();
        assertThat(path.matcher("/v1/ask/0195f1a8-7b6e-7c3d-9a2b-4f5e6d7c8b9a/webhook/resend")
                        .find())
                .isFalse();
    }

    private static Nginx location(Nginx server, String path) {
        return server.children().stream()
                .filter(d -> d.name().equals("location") && d.args().equals(List.of("=", path)))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void aSubmitRetriedOnTheOtherIngestApiIsTheSameAskByItsKey() throws IOException {
        aSubmitRetriedOnTheOtherIngestApiIsTheSameAskByItsKey("/v1/ask");
        aSubmitRetriedOnTheOtherIngestApiIsTheSameAskByItsKey("/v1/chat/completions");
    }

    private void aSubmitRetriedOnTheOtherIngestApiIsTheSameAskByItsKey(String path) throws IOException {
        List<Nginx> conf = Nginx.parse(Files.readString(DEPLOY.resolve("nginx/askpipe.conf")));
        Nginx server = Nginx.only(conf, "server");
        Nginx submit = location(server, path);
        List<String> retryOn =
                Nginx.only(submit.children(), "proxy_next_upstream").args();
        if (!retryOn.contains("non_idempotent")) {
            return; // a POST is never sent twice: nothing to deduplicate
        }
        // ingest makes up a random key for a submit without one, so a retried submit must carry one
        Map<String, String> headers = new java.util.HashMap<>();
        for (Nginx header : Nginx.all(submit.children(), "proxy_set_header")) {
            headers.put(
                    header.args().get(0).toLowerCase(java.util.Locale.ROOT),
                    header.args().get(1));
        }
        String key = headers.get("idempotency-key");
        assertThat(key).as("the submit location sets Idempotency-Key").startsWith("$");
        Nginx map = Nginx.all(conf, "map").stream()
                .filter(m -> m.args().get(1).equals(key))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no map defines " + key));
        assertThat(map.args().get(0)).isEqualTo("$http_idempotency_key");
        Map<String, String> entries = new java.util.HashMap<>();
        map.children().forEach(e -> entries.put(e.name(), e.args().get(0)));
        assertThat(entries)
                .as("a client's own key passes unchanged, a missing one becomes the request's id")
                .containsEntry("\"\"", "$request_id")
                .containsEntry("default", "$http_idempotency_key")
                .hasSize(2);
        // a location's proxy_set_header replaces every one of the server's
        for (Nginx header : Nginx.all(server.children(), "proxy_set_header")) {
            assertThat(headers)
                    .as(
                            "the submit location keeps the server's %s",
                            header.args().get(0))
                    .containsEntry(
                            header.args().get(0).toLowerCase(java.util.Locale.ROOT),
                            header.args().get(1));
        }
    }

    @Test
    void theBrokersAndTheGatewayTakeTheLargestAskTheServicesAccept() throws IOException {
        Map<String, Map<String, Object>> services = services();
        Set<String> configured = new HashSet<>();
        for (String name : ASKPIPE) {
            configured.add(String.valueOf(env(services.get(name))
                    .getOrDefault(
                            AskSizes.ASK_MAX_BYTES.name(),
                            AskSizes.ASK_MAX_BYTES.writtenDefault().orElseThrow())));
        }
        assertThat(configured).as("every service has the same ASK_MAX_BYTES").hasSize(1);
        AskSizes sizes =
                new AskSizes(AskSizes.ASK_MAX_BYTES.parse(configured.iterator().next()));

        for (String broker : List.of("kafka-1", "kafka-2", "kafka-3")) {
            Map<String, Object> env = env(services.get(broker));
            for (String variable : List.of("KAFKA_MESSAGE_MAX_BYTES", "KAFKA_REPLICA_FETCH_MAX_BYTES")) {
                assertThat(env.get(variable)).as("%s of %s", variable, broker).isNotNull();
                assertThat(Long.parseLong(String.valueOf(env.get(variable))))
                        .as("%s of %s takes a joined ask", variable, broker)
                        .isGreaterThanOrEqualTo(sizes.recordMaxBytes());
            }
        }

        // the gateway lets a body over the limit through on both submit routes, so that ingest
        // answers it with its own error that says the limit
        List<Nginx> locations =
                Nginx.only(Nginx.parse(Files.readString(DEPLOY.resolve("nginx/askpipe.conf"))), "server")
                        .children()
                        .stream()
                        .filter(d -> d.name().equals("location"))
                        .toList();
        for (String path : List.of("/v1/ask", "/v1/chat/completions")) {
            Nginx submit = locations.stream()
                    .filter(d -> d.args().equals(List.of("=", path)))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no location = " + path));
            String bodyLimit =
                    Nginx.only(submit.children(), "client_max_body_size").args().getFirst();
            assertThat(nginxSize(bodyLimit))
                    .as("client_max_body_size of %s", path)
                    .isGreaterThan(sizes.askMaxBytes());
        }
    }

    /** An nginx size ({@code 8m}, {@code 512k}, {@code 1g} or bytes) in bytes. */
    private static long nginxSize(String size) {
        Matcher matcher = Pattern.compile("(\\d+)([kKmMgG]?)").matcher(size);
        assertThat(matcher.matches()).as("an nginx size: %s", size).isTrue();
        long amount = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2).toLowerCase(java.util.Locale.ROOT)) {
            case "k" -> amount * 1024;
            case "m" -> amount * 1024 * 1024;
            case "g" -> amount * 1024 * 1024 * 1024;
            default -> amount;
        };
    }

    @Test
    void theComposeFileHoldsNoSecretAndStartsNothingWithADefaultPassword() throws IOException {
        String compose = Files.readString(ROOT.resolve("docker-compose.yml"));
        Pattern secretName = Pattern.compile("PASSWORD|SECRET|TOKEN|_KEY$");
        Pattern fromEnvFile = Pattern.compile("\\$\\{[A-Z0-9_]+(:\\?[^}]+|:-)\\}");
        Set<String> secrets = new HashSet<>();
        for (Map.Entry<String, Map<String, Object>> service : services().entrySet()) {
            Map<String, Object> env = env(service.getValue());
            for (Map.Entry<String, Object> variable :
                    env == null ? Set.<Map.Entry<String, Object>>of() : env.entrySet()) {
                if (secretName.matcher(variable.getKey()).find()) {
                    secrets.add(service.getKey() + " " + variable.getKey());
                    assertThat(String.valueOf(variable.getValue()))
                            .as("%s of %s comes from .env, required or empty", variable.getKey(), service.getKey())
                            .matches(fromEnvFile);
                }
            }
        }
        assertThat(secrets)
                .contains(
                        "postgres POSTGRES_PASSWORD",
                        "grafana GF_SECURITY_ADMIN_PASSWORD",
                        "accounts DATABASE_PASSWORD",
                        "router-1 OPENAI_API_KEY")
                .containsAll(ASKPIPE.stream().map(s -> s + " DATABASE_PASSWORD").toList());
        Matcher withDefault = Pattern.compile("\\$\\{[A-Za-z0-9_]+:?-[^}]+\\}").matcher(compose);
        assertThat(withDefault.find() ? withDefault.group() : null)
                .as("no variable has a default value")
                .isNull();
        for (String password : List.of("postgres POSTGRES_PASSWORD", "grafana GF_SECURITY_ADMIN_PASSWORD")) {
            String[] at = password.split(" ");
            assertThat(String.valueOf(env(services().get(at[0])).get(at[1])))
                    .as("%s cannot be left out", password)
                    .contains(":?");
        }
        assertThat(compose).doesNotContainIgnoringCase("admin / admin");
    }

    @Test
    void envExampleListsEveryVariableTheComposeFileNeedsAndNoValueToKeep() throws IOException {
        Matcher reference =
                Pattern.compile("\\$\\{([A-Za-z0-9_]+)").matcher(Files.readString(ROOT.resolve("docker-compose.yml")));
        Set<String> used = new HashSet<>();
        while (reference.find()) {
            used.add(reference.group(1));
        }
        Map<String, String> example = new java.util.LinkedHashMap<>();
        for (String line : Files.readAllLines(ROOT.resolve(".env.example"))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                assertThat(line).contains("=");
                example.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
        }
        assertThat(example.keySet()).containsExactlyInAnyOrderElementsOf(used);
        assertThat(example.values())
                .as("no example password that a deployment might keep")
                .allMatch(String::isEmpty);
        assertThat(Files.readAllLines(ROOT.resolve(".gitignore"))).contains(".env");
        assertThat(Files.readString(ROOT.resolve("docs/deployment.md")))
                .contains("cp .env.example .env")
                .contains(used);
    }

    @Test
    void onlyTheClientPortIsPublishedBeyondThisHost() throws IOException {
        Map<String, Map<String, Object>> services = services();
        for (Map.Entry<String, Map<String, Object>> service : services.entrySet()) {
            for (Object port : (List<?>) service.getValue().getOrDefault("ports", List.of())) {
                if (service.getKey().equals("gateway")) {
                    assertThat(port).isEqualTo("8080:8080");
                } else {
                    assertThat(String.valueOf(port)).as(service.getKey()).startsWith("127.0.0.1:");
                }
            }
        }
        assertThat(services.get("prometheus").get("ports")).isEqualTo(List.of("127.0.0.1:9090:9090"));
        assertThat(services.get("grafana").get("ports")).isEqualTo(List.of("127.0.0.1:3000:3000"));
        for (String name : ASKPIPE) {
            assertThat(services.get(name))
                    .as("%s is reached through the gateway", name)
                    .doesNotContainKey("ports");
        }
    }

    @Test
    void eachServiceLogsInAsItsOwnRoleThatThePostgresInitScriptCreates() throws IOException {
        Map<String, Map<String, Object>> services = services();
        String sql = Files.readString(DEPLOY.resolve("postgres/askpipe-roles.sql"));
        Path script = DEPLOY.resolve("postgres/askpipe-roles.sh");
        String sh = Files.readString(script);
        assertThat(script).isExecutable();
        Map<String, String> psqlVariableOfRole = new java.util.HashMap<>();
        Matcher role =
                Pattern.compile("CREATE ROLE (\\w+) LOGIN PASSWORD :'(\\w+)';").matcher(sql);
        while (role.find()) {
            psqlVariableOfRole.put(role.group(1), role.group(2));
        }
        Map<String, String> envOfPsqlVariable = new java.util.HashMap<>();
        Matcher variable = Pattern.compile("-v (\\w+)=\"\\$(\\w+)\"").matcher(sh);
        while (variable.find()) {
            envOfPsqlVariable.put(variable.group(1), variable.group(2));
        }
        Map<String, Object> postgres = env(services.get("postgres"));

        Map<String, String> roles = Map.of(
                "ingest-1", "askpipe_ingest",
                "ingest-2", "askpipe_ingest",
                "router-1", "askpipe_router",
                "router-2", "askpipe_router",
                "result-store", "askpipe_store",
                "accounts", "askpipe_auth");
        Pattern required = Pattern.compile("\\$\\{(\\w+):\\?[^}]+\\}");
        for (Map.Entry<String, String> expected : roles.entrySet()) {
            Map<String, Object> env = env(services.get(expected.getKey()));
            assertThat(env.get("DATABASE_USER")).as(expected.getKey()).isEqualTo(expected.getValue());
            Matcher password = required.matcher(String.valueOf(env.get("DATABASE_PASSWORD")));
            assertThat(password.matches()).as(expected.getKey()).isTrue();
            // the same variable gives the role its password when the database is initialised
            String psqlVariable = psqlVariableOfRole.get(expected.getValue());
            assertThat(psqlVariable).as("%s is created", expected.getValue()).isNotNull();
            assertThat(envOfPsqlVariable).containsEntry(psqlVariable, password.group(1));
            assertThat(postgres).containsEntry(password.group(1), env.get("DATABASE_PASSWORD"));
        }
        for (String schema : List.of("auth", "ingest", "router", "store")) {
            assertThat(sql).contains("CREATE SCHEMA " + schema + " AUTHORIZATION askpipe_" + schema + ";");
        }
        assertThat(String.valueOf(services.get("postgres").get("volumes")))
                .contains("./deploy/postgres/askpipe-roles.sh:/docker-entrypoint-initdb.d/")
                .contains("./deploy/postgres/askpipe-roles.sql:/askpipe/askpipe-roles.sql:ro");
        assertThat(sh).contains("-f /askpipe/askpipe-roles.sql", "ON_ERROR_STOP=1");

        // schema auth is migrated by its owner before any service starts, from the ingest image
        Map<String, Object> accounts = services.get("accounts");
        assertThat(accounts.get("image")).isEqualTo(services.get("ingest-1").get("image"));
        assertThat(((List<?>) accounts.get("entrypoint"))
                        .stream().map(String::valueOf).toList())
                .containsSubsequence("-cp", "@/app/jib-classpath-file", "io.askpipe.auth.AdminMain");
        assertThat(accounts.get("command")).isEqualTo(List.of("migrate"));
        for (String name : ASKPIPE) {
            assertThat(String.valueOf(services.get(name).get("depends_on")))
                    .as(name)
                    .contains("accounts={condition=service_completed_successfully}");
        }
    }

    @Test
    void prometheusScrapesEveryServiceAndRecordsTheGoldenQueries() throws IOException {
        Map<String, Object> config = yaml(DEPLOY.resolve("prometheus/prometheus.yml"));
        Set<String> targets = new HashSet<>();
        for (Object job : (List<?>) config.get("scrape_configs")) {
            for (Object group : (List<?>) ((Map<?, ?>) job).get("static_configs")) {
                for (Object target : (List<?>) ((Map<?, ?>) group).get("targets")) {
                    targets.add((String) target);
                }
            }
        }
        // on the operations port the images listen on, not the client port the gateway forwards to
        assertThat(Files.readString(ROOT.resolve("pom.xml")))
                .contains("<OPS_PORT>9464</OPS_PORT>", "<OPS_HOST>0.0.0.0</OPS_HOST>");
        assertThat(targets)
                .containsExactlyInAnyOrderElementsOf(
                        ASKPIPE.stream().map(s -> s + ":9464").toList());
        for (Object file : (List<?>) config.get("rule_files")) {
            assertThat(DEPLOY.resolve("prometheus").resolve((String) file)).exists();
        }

        Map<String, String> rules = recordingRules();
        // every golden query of docs/operations.md is recorded as it is written there
        String operations = Files.readString(ROOT.resolve("docs/operations.md"));
        String golden = operations.substring(
                operations.indexOf("## Golden queries"), operations.indexOf("### When a signal goes red"));
        Matcher row = Pattern.compile("(?m)^\\| [a-z0-9 ]+ \\| `([^`]+)` \\|$").matcher(golden);
        List<String> documented = new ArrayList<>();
        while (row.find()) {
            documented.add(row.group(1));
        }
        assertThat(documented).hasSize(4);
        assertThat(rules.values()).containsAll(documented);
    }

    @Test
    void theDashboardShowsLatencyErrorsLagAndInFlightFromRecordedSeries() throws IOException {
        JsonNode dashboard = Json.mapper()
                .readTree(DEPLOY.resolve("grafana/dashboards/askpipe.json").toFile());
        Map<String, String> rules = recordingRules();

        List<String> titles = new ArrayList<>();
        for (JsonNode panel : dashboard.get("panels")) {
            titles.add(panel.get("title").asText().toLowerCase());
            for (JsonNode target : panel.get("targets")) {
                assertThat(rules)
                        .as(panel.get("title").asText())
                        .containsKey(target.get("expr").asText());
            }
        }
        assertThat(titles)
                .anyMatch(t -> t.contains("latency"))
                .anyMatch(t -> t.contains("error rate"))
                .anyMatch(t -> t.contains("lag"))
                .anyMatch(t -> t.contains("in flight"));

        Map<String, Object> provider = yaml(DEPLOY.resolve("grafana/provisioning/dashboards/askpipe.yml"));
        assertThat(String.valueOf(provider)).contains("/var/lib/grafana/dashboards");
        assertThat(String.valueOf(services().get("grafana").get("volumes")))
                .contains("./deploy/grafana/dashboards:/var/lib/grafana/dashboards");
    }

    @Test
    void promtoolAcceptsTheConfigurationAndTheRules() throws Exception {
        assumeTrue(
                onPath("promtool"),
                "promtool is not on PATH (./askpipe test provides it where Debian's packages are reachable)");
        assertThat(run(
                        "promtool",
                        "check",
                        "config",
                        DEPLOY.resolve("prometheus/prometheus.yml").toString()))
                .isZero();
        assertThat(run(
                        "promtool",
                        "check",
                        "rules",
                        DEPLOY.resolve("prometheus/askpipe-rules.yml").toString()))
                .isZero();
    }

    @Test
    void ingestAndTheRoutersReadTheSameBackendCatalog() throws IOException {
        Map<String, Map<String, Object>> services = services();
        List<String> catalogVariables = List.of(
                "ASKPIPE_PROFILE",
                "ASKPIPE_BACKENDS",
                "ASKPIPE_MODELS",
                "PROMPT_BACKEND",
                "ROUTER_MODEL_ROUTES",
                "ROUTER_FALLBACKS");
        Map<String, Object> first = env(services.get("ingest-1"));
        assertThat(first.get("ASKPIPE_MODELS"))
                .as("in prod no model may be named unless listed")
                .isNotNull();
        for (String name : List.of("ingest-2", "router-1", "router-2")) {
            Map<String, Object> env = env(services.get(name));
            for (String variable : catalogVariables) {
                assertThat(env.get(variable)).as("%s of %s", variable, name).isEqualTo(first.get(variable));
            }
        }
        Map<String, String> vars = new java.util.HashMap<>();
        first.forEach((variable, value) -> vars.put(variable, String.valueOf(value)));
        assertThat(BackendCatalog.fromEnv(Env.of(vars)).backends()).contains("dryrun", "openai");
    }

    /** One directive of an nginx configuration: its name, arguments and block (empty for a simple one). */
    private record Nginx(String name, List<String> args, List<Nginx> children) {
        static List<Nginx> parse(String text) {
            Matcher token =
                    Pattern.compile("#[^\\n]*|\"[^\"]*\"|[{};]|[^\\s{};#]+").matcher(text);
            List<String> tokens = new ArrayList<>();
            while (token.find()) {
                if (!token.group().startsWith("#")) {
                    tokens.add(token.group());
                }
            }
            java.util.Iterator<String> it = tokens.iterator();
            List<Nginx> directives = block(it);
            assertThat(it.hasNext()).as("balanced braces").isFalse();
            return directives;
        }

        private static List<Nginx> block(java.util.Iterator<String> it) {
            List<Nginx> directives = new ArrayList<>();
            List<String> words = new ArrayList<>();
            while (it.hasNext()) {
                String next = it.next();
                switch (next) {
                    case ";" -> {
                        directives.add(
                                new Nginx(words.getFirst(), List.copyOf(words.subList(1, words.size())), List.of()));
                        words.clear();
                    }
                    case "{" -> {
                        directives.add(
                                new Nginx(words.getFirst(), List.copyOf(words.subList(1, words.size())), block(it)));
                        words.clear();
                    }
                    case "}" -> {
                        return directives;
                    }
                    default -> words.add(next);
                }
            }
            return directives;
        }

        static List<Nginx> all(List<Nginx> directives, String name) {
            return directives.stream().filter(d -> d.name().equals(name)).toList();
        }

        static Nginx only(List<Nginx> directives, String name) {
            List<Nginx> found = all(directives, name);
            assertThat(found).as(name).hasSize(1);
            return found.getFirst();
        }
    }

    private static Map<String, String> recordingRules() throws IOException {
        Map<String, String> rules = new java.util.LinkedHashMap<>();
        Map<String, Object> file = yaml(DEPLOY.resolve("prometheus/askpipe-rules.yml"));
        for (Object group : (List<?>) file.get("groups")) {
            for (Object rule : (List<?>) ((Map<?, ?>) group).get("rules")) {
                Map<?, ?> r = (Map<?, ?>) rule;
                rules.put((String) r.get("record"), ((String) r.get("expr")).strip());
            }
        }
        return rules;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> services() throws IOException {
        return (Map<String, Map<String, Object>>)
                yaml(ROOT.resolve("docker-compose.yml")).get("services");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> env(Map<String, Object> service) {
        return (Map<String, Object>) service.get("environment");
    }

    private static Map<String, Object> yaml(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            return new Yaml().load(in); // SnakeYAML resolves the compose file's anchors and merge keys
        }
    }

    private static boolean onPath(String command) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, command)));
    }

    private static int run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).inheritIO().start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return process.exitValue();
    }
}
