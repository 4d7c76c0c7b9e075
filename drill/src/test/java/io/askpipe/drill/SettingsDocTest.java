package io.askpipe.drill;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.auth.AdminMain;
import io.askpipe.auth.AuthSettings;
import io.askpipe.cli.BatchCommand;
import io.askpipe.common.chaos.Chaos;
import io.askpipe.common.config.Env;
import io.askpipe.common.config.Setting;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.http.HttpSettings;
import io.askpipe.common.log.LogSettings;
import io.askpipe.common.service.OpsSettings;
import io.askpipe.common.service.Startup;
import io.askpipe.devstack.DevStackConfig;
import io.askpipe.devstack.DevStackMain;
import io.askpipe.ingest.IngestConfig;
import io.askpipe.ingest.IngestMain;
import io.askpipe.router.RouterConfig;
import io.askpipe.router.RouterMain;
import io.askpipe.store.StoreConfig;
import io.askpipe.store.StoreMain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The variable tables of docs/operations.md (columns variable, default, meaning) say what the
 * settings' definitions say: every variable a deployable reads has a row of its own, every row
 * names a variable some deployable reads (or the launcher script does), and each row's default is
 * the definition's. A deployable whose default differs from the others' is named in the row, as
 * {@code dev stack `8080`} or {@code `127.0.0.1` in the dev stack}. It lives in the drill's module
 * because that is the one that sees every deployable, the drill among them.
 */
class SettingsDocTest {
    private static final Path ROOT = Path.of("..");
    private static final Path OPERATIONS = ROOT.resolve("docs/operations.md");
    /** Where variables read by the launcher rather than by Java are read. */
    private static final List<Path> LAUNCHER = List.of(ROOT.resolve("askpipe"), ROOT.resolve("scripts/jdk.sh"));

    private static final Pattern HEADER = Pattern.compile("\\|\\s*variable\\s*\\|\\s*default\\s*\\|\\s*meaning\\s*\\|");
    private static final Pattern NAME = Pattern.compile("`(<[A-Z]+>_[A-Z0-9_]+|[A-Z][A-Z0-9_]*)`");

    /** A whole-number range as the meaning column gives bounds: {@code (1–10000)}. */
    private static final Pattern RANGE = Pattern.compile("\\((-?\\d+)–(-?\\d+)\\)");

    /** A row of a variable table: the variables it names, its default column and its meaning. */
    record Row(int line, List<String> names, String defaultText, String meaning) {}

    /** Each deployable by the name the docs give it, and every setting its process reads. */
    static Map<String, List<Setting<?>>> deployables() {
        Map<String, List<Setting<?>>> deployables = new LinkedHashMap<>();
        deployables.put("ingest-api", IngestMain.settings());
        deployables.put("router-worker", RouterMain.settings());
        deployables.put("result-store", StoreMain.settings());
        deployables.put("dev stack", DevStackMain.settings());
        deployables.put("drill", DrillMain.settings());
        deployables.put("admin", AdminMain.settings());
        deployables.put("batch", BatchCommand.settings());
        return deployables;
    }

    /** Every row of every variable table of {@code lines}. */
    static List<Row> rows(List<String> lines) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!HEADER.matcher(lines.get(i).strip()).matches()) {
                continue;
            }
            for (int j = i + 2; j < lines.size() && lines.get(j).startsWith("|"); j++) {
                String[] cells = lines.get(j).split("\\|", -1);
                List<String> names = new ArrayList<>();
                Matcher matcher = NAME.matcher(cells[1]);
                while (matcher.find()) {
                    names.add(matcher.group(1));
                }
                String meaning = String.join("|", List.of(cells).subList(3, cells.length - 1));
                rows.add(new Row(j + 1, names, cells[2].strip(), meaning.strip()));
            }
        }
        return rows;
    }

    private static List<Row> documented() throws IOException {
        List<Row> rows = rows(Files.readAllLines(OPERATIONS));
        assertThat(rows).as("variable tables in %s", OPERATIONS).hasSizeGreaterThan(50);
        return rows;
    }

    /** Every setting of every deployable, by name, with the deployables that read it. */
    private static Map<String, Map<String, Setting<?>>> defined() {
        Map<String, Map<String, Setting<?>>> byName = new LinkedHashMap<>();
        deployables()
                .forEach((deployable, settings) -> settings.forEach(
                        setting -> byName.computeIfAbsent(setting.name(), name -> new LinkedHashMap<>())
                                .put(deployable, setting)));
        return byName;
    }

    /**
     * What each deployable's process reads, as its main reads it (logging aside, which reads
     * exactly its list), in an environment that sets what is required and configures every backend.
     */
    static Map<String, Consumer<Env>> reads() {
        Map<String, Consumer<Env>> reads = new LinkedHashMap<>();
        reads.put("ingest-api", env -> {
            IngestConfig.fromEnv(env);
            Startup.fromEnv("ingest-api", env);
            Chaos.Settings.fromEnv(env);
        });
        reads.put("router-worker", env -> {
            RouterConfig.fromEnv(env);
            Startup.fromEnv("router-worker", env);
            Chaos.Settings.fromEnv(env);
        });
        reads.put("result-store", env -> {
            StoreConfig.fromEnv(env);
            Startup.fromEnv("result-store", env);
            Chaos.Settings.fromEnv(env);
        });
        reads.put("dev stack", env -> {
            DevStackConfig.fromEnv(env);
            Chaos.Settings.fromEnv(env);
            DatabaseSettings.fromEnv(env);
            AuthSettings.fromEnv(env);
            StoreConfig.fromEnv(env);
            RouterConfig.fromEnv(env);
            IngestConfig.fromEnv(env);
            Startup.fromEnv("router-worker", env);
            HttpSettings.fromEnv(env, HttpSettings.PORT.defaultsTo("8080"));
            OpsSettings.fromEnv(env, OpsSettings.PORT.defaultsTo("0"));
        });
        reads.put(
                "drill",
                env -> DrillOptions.parse(env, "--target", "http://127.0.0.1:1", "--ops", "http://127.0.0.1:2"));
        reads.put("admin", env -> {
            DatabaseSettings.fromEnv(env);
            AuthSettings.fromEnv(env);
        });
        reads.put("batch", BatchCommand.Target::from);
        return reads;
    }

    @Test
    void everyDeployableListsEveryVariableItReads() {
        Map<String, String> vars = Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092",
                "DATABASE_URL", "jdbc:postgresql://127.0.0.1/askpipe",
                "OPENAI_API_KEY", "sk-test",
                "LLAMA_BASE_URL", "http://127.0.0.1:11434",
                "ASKPIPE_API_KEY", "ak_test");
        Map<String, List<Setting<?>>> deployables = deployables();
        Set<String> unlisted = new TreeSet<>();
        reads().forEach((deployable, read) -> {
            Set<String> names = new TreeSet<>();
            read.accept(Env.observed(vars, names::add));
            for (String name : names) {
                if (deployables.get(deployable).stream().noneMatch(setting -> setting.names(name))) {
                    unlisted.add(deployable + " reads " + name);
                }
            }
            assertThat(names).as(deployable + " reads something").isNotEmpty();
        });

        assertThat(reads().keySet()).isEqualTo(deployables.keySet());
        assertThat(unlisted).as("read but not in the deployable's settings()").isEmpty();
        // every process that logs; the client command prints for its user instead
        assertThat(LogSettings.settings())
                .allMatch(setting -> deployables.entrySet().stream()
                        .filter(deployable -> !deployable.getKey().equals("batch"))
                        .allMatch(deployable -> deployable.getValue().contains(setting)));
    }

    @Test
    void everySettingSaysWhatItMeans() {
        Set<String> undescribed = new TreeSet<>();
        deployables()
                .values()
                .forEach(settings -> settings.stream()
                        .filter(setting -> setting.doc().isBlank())
                        .forEach(setting -> undescribed.add(setting.name())));

        assertThat(undescribed).as("settings without a doc").isEmpty();
    }

    @Test
    void everyVariableADeployableReadsIsDocumented() throws IOException {
        Set<String> documented = new LinkedHashSet<>();
        documented().forEach(row -> documented.addAll(row.names()));

        Set<String> undocumented = new TreeSet<>(defined().keySet());
        undocumented.removeAll(documented);

        assertThat(undocumented)
                .as("defined but not in a table of %s", OPERATIONS)
                .isEmpty();
    }

    @Test
    void everyDocumentedVariableIsReadByADeployableOrTheLauncher() throws IOException {
        StringBuilder launcher = new StringBuilder();
        for (Path script : LAUNCHER) {
            launcher.append(Files.readString(script));
        }
        Set<String> defined = defined().keySet();
        Set<String> unread = new TreeSet<>();
        for (Row row : documented()) {
            for (String name : row.names()) {
                boolean launched = launcher.indexOf("${" + name) >= 0 || launcher.indexOf("$" + name) >= 0;
                if (!defined.contains(name) && !launched) {
                    unread.add(name + " (line " + row.line() + ")");
                }
            }
        }

        assertThat(unread).as("documented but read by no deployable").isEmpty();
    }

    @Test
    void everyVariableHasOneRowOfItsOwn() throws IOException {
        List<Row> rows = documented();
        Set<String> wrong = new TreeSet<>();
        for (String name : defined().keySet()) {
            long own = rows.stream()
                    .filter(row -> row.names().equals(List.of(name)))
                    .count();
            if (own != 1) {
                wrong.add(name + " has " + own);
            }
        }

        assertThat(wrong).as("variables without exactly one row of their own").isEmpty();
    }

    @Test
    void everyDocumentedDefaultIsTheDefinitions() throws IOException {
        Map<String, Map<String, Setting<?>>> defined = defined();
        List<String> wrong = new ArrayList<>();
        for (Row row : documented()) {
            if (row.names().size() != 1 || !defined.containsKey(row.names().getFirst())) {
                continue;
            }
            String name = row.names().getFirst();
            Map<String, Setting<?>> readers = defined.get(name);
            readers.forEach((deployable, setting) -> {
                String expected = setting.defaultText();
                boolean documented = startsWith(row.defaultText(), expected)
                        || row.defaultText().contains(deployable + " " + expected)
                        || row.defaultText().contains(expected + " in the " + deployable);
                if (!documented) {
                    wrong.add(name + " (line " + row.line() + "): " + deployable + "'s default is " + expected
                            + ", documented as " + row.defaultText());
                }
            });
            for (String deployable : deployables().keySet()) {
                Matcher named = Pattern.compile(Pattern.quote(deployable) + " (`[^`]*`)|(`[^`]*`) in the "
                                + Pattern.quote(deployable) + "\\b")
                        .matcher(row.defaultText());
                while (named.find()) {
                    String claimed = named.group(1) != null ? named.group(1) : named.group(2);
                    Setting<?> setting = readers.get(deployable);
                    if (setting == null || !setting.defaultText().equals(claimed)) {
                        wrong.add(name + " (line " + row.line() + "): documented as " + claimed + " in the "
                                + deployable + ", which "
                                + (setting == null ? "does not read it" : "defaults to " + setting.defaultText()));
                    }
                }
            }
        }

        assertThat(wrong).as("defaults documented otherwise than defined").isEmpty();
    }

    @Test
    void boundsTheDocsGiveInDigitsAreTheDefinitions() throws IOException {
        Map<String, Map<String, Setting<?>>> defined = defined();
        Set<String> wrong = new TreeSet<>();
        for (Row row : documented()) {
            Matcher range = RANGE.matcher(row.meaning());
            if (row.names().size() != 1 || !defined.containsKey(row.names().getFirst()) || !range.find()) {
                continue;
            }
            String documented = range.group(1) + ".." + range.group(2);
            for (Setting<?> setting : defined.get(row.names().getFirst()).values()) {
                if (!setting.bounds().equals(documented)) {
                    wrong.add(setting.name() + " (line " + row.line() + "): bounds " + setting.bounds()
                            + ", documented as " + range.group());
                }
            }
        }

        assertThat(wrong).as("bounds documented otherwise than defined").isEmpty();
    }

    /**
     * Whether {@code documented} gives {@code expected} first: as it is, or for a default in
     * parentheses such as {@code (none)}, followed by what it means ({@code (none: embedded)}).
     */
    static boolean startsWith(String documented, String expected) {
        if (documented.startsWith(expected)) {
            return true;
        }
        if (!expected.startsWith("(") || !expected.endsWith(")")) {
            return false;
        }
        String open = expected.substring(0, expected.length() - 1);
        return documented.startsWith(open + ": ") || documented.startsWith(open + "; ");
    }

    @Test
    void aDefaultInParenthesesMayBeFollowedByWhatItMeans() {
        assertThat(startsWith("(none: dynamic membership)", "(none)")).isTrue();
        assertThat(startsWith("(none; loopback in the dev stack)", "(none)")).isTrue();
        assertThat(startsWith("`-1` (broker default)", "`-1`")).isTrue();
        assertThat(startsWith("(nonesuch)", "(none)")).isFalse();
        assertThat(startsWith("`60s`", "`6`")).isFalse();
    }

    @Test
    void aRowNamesItsVariablesAndItsDefault() {
        List<Row> rows = rows(List.of(
                "| variable | default | meaning |",
                "|---|---|---|",
                "| `HTTP_PORT` | ingest-api `8080`, dev stack `8080` | port |",
                "| `DATABASE_URL`, `DATABASE_USER` | as for the result store | the ledger |",
                "| `<BACKEND>_TIMEOUT_MS` | `LLM_TIMEOUT_MS` | the same, for one backend |",
                "",
                "| command | what it does |",
                "|---|---|",
                "| `migrate` | migrates |"));

        assertThat(rows)
                .containsExactly(
                        new Row(3, List.of("HTTP_PORT"), "ingest-api `8080`, dev stack `8080`", "port"),
                        new Row(4, List.of("DATABASE_URL", "DATABASE_USER"), "as for the result store", "the ledger"),
                        new Row(5, List.of("<BACKEND>_TIMEOUT_MS"), "`LLM_TIMEOUT_MS`", "the same, for one backend"));
    }
}
