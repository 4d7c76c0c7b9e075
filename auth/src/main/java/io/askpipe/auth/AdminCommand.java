package io.askpipe.auth;

import java.io.PrintStream;
import java.util.List;
import java.util.Optional;
import org.jooq.exception.DataAccessException;

/**
 * The operator's commands over users and API keys. Results go to standard output, one value per
 * line where a script may capture it (a new user's id, a new key's secret); explanations go to
 * standard error. A key's secret is printed once, when it is issued, and cannot be shown again.
 */
final class AdminCommand {
    static final String USAGE = """
            usage: askpipe admin COMMAND [ARGS]
              create-user NAME             create a user; prints its id
              issue-key USER [FAMILY_ID]   issue an API key of a new family (or into FAMILY_ID, so
                                           that revoking the family revokes it too); prints the
                                           key, the only time it is ever shown
              list-keys USER               the user's keys: id, family, prefix, created, revoked
              revoke-family FAMILY_ID      revoke every key of a family
              disable-user USER            refuse every key of the user (403) until enabled
              enable-user USER             admit the user's keys again
              list-users                   every user: id, name, created, disabled
              set-quota USER [--rpm N] [--in-flight N] [--monthly-tokens N]
                                           override the user's quotas (asks a minute, asks queued
                                           or running at once, tokens a calendar month in UTC);
                                           0 is unlimited, a limit not named keeps its value;
                                           ingest applies it within AUTH_CACHE_TTL
              show-quota USER              the user's overrides, or "default" where it has none
              clear-quota USER             drop the user's overrides: the defaults apply again
              migrate                      only bring schema auth up to date, as every command
                                           does first (a deployment's step before its services)
            USER is a user's name or id.""";

    private final Accounts accounts;
    private final QuotaOverrides quotas;
    private final PrintStream out;
    private final PrintStream err;

    AdminCommand(Accounts accounts, QuotaOverrides quotas, PrintStream out, PrintStream err) {
        this.accounts = accounts;
        this.quotas = quotas;
        this.out = out;
        this.err = err;
    }

    /** Runs {@code args}; returns the exit status: 0 done, 1 refused, 2 usage error. */
    int run(List<String> args) {
        if (args.isEmpty()) {
            return usage();
        }
        String command = args.getFirst();
        List<String> rest = args.subList(1, args.size());
        try {
            return switch (command) {
                case "create-user" -> rest.size() == 1 ? createUser(rest.get(0)) : usage();
                case "issue-key" -> rest.size() == 1 || rest.size() == 2 ? issueKey(rest) : usage();
                case "list-keys" -> rest.size() == 1 ? listKeys(rest.get(0)) : usage();
                case "revoke-family" -> rest.size() == 1 ? revokeFamily(rest.get(0)) : usage();
                case "disable-user" -> rest.size() == 1 ? setDisabled(rest.get(0), true) : usage();
                case "enable-user" -> rest.size() == 1 ? setDisabled(rest.get(0), false) : usage();
                case "list-users" -> rest.isEmpty() ? listUsers() : usage();
                case "set-quota" -> rest.size() >= 3 && rest.size() % 2 == 1 ? setQuota(rest) : usage();
                case "show-quota" -> rest.size() == 1 ? showQuota(rest.get(0)) : usage();
                case "clear-quota" -> rest.size() == 1 ? clearQuota(rest.get(0)) : usage();
                case "migrate" -> rest.isEmpty() ? migrated() : usage();
                default -> usage();
            };
        } catch (DataAccessException e) {
            err.println("askpipe admin: the database refused: " + e.getMessage());
            return 1;
        }
    }

    /** The schema was migrated when the accounts were opened: nothing is left to do. */
    private int migrated() {
        err.println("schema auth is up to date");
        return 0;
    }

    private int createUser(String name) {
        if (!name.matches("[A-Za-z0-9._@-]{1,128}")) {
            err.println("askpipe admin: a user name is 1-128 letters, digits and . _ @ -");
            return 2;
        }
        if (accounts.findUserByName(name).isPresent()) {
            err.println("askpipe admin: a user called " + name + " already exists");
            return 1;
        }
        User user = accounts.createUser(name);
        err.println("created user " + name);
        out.println(user.id());
        return 0;
    }

    private int issueKey(List<String> args) {
        Optional<User> user = user(args.get(0));
        if (user.isEmpty()) {
            return 1;
        }
        IssuedKey issued;
        if (args.size() == 2) {
            String family = args.get(1);
            boolean ownFamily = accounts.keysOf(user.get().id()).stream()
                    .anyMatch(k -> k.familyId().equals(family));
            if (!ownFamily) {
                err.println("askpipe admin: " + user.get().name() + " has no key of family " + family);
                return 1;
            }
            issued = accounts.issueKey(user.get().id(), family);
        } else {
            issued = accounts.issueKey(user.get().id());
        }
        err.println("issued key " + issued.key().id() + " (family "
                + issued.key().familyId() + ") for " + user.get().name() + "; store it now, it is not shown again:");
        out.println(issued.secret());
        return 0;
    }

    private int listKeys(String who) {
        Optional<User> user = user(who);
        if (user.isEmpty()) {
            return 1;
        }
        out.printf("%-36s  %-36s  %-11s  %-27s  %s%n", "KEY", "FAMILY", "PREFIX", "CREATED", "REVOKED");
        for (ApiKey key : accounts.keysOf(user.get().id())) {
            out.printf(
                    "%-36s  %-36s  %-11s  %-27s  %s%n",
                    key.id(), key.familyId(), key.prefix(), key.createdAt(), key.revoked() ? key.revokedAt() : "-");
        }
        return 0;
    }

    private int revokeFamily(String familyId) {
        int revoked = accounts.revokeFamily(familyId);
        out.println(revoked);
        err.println(
                revoked == 0
                        ? "no live key of family " + familyId
                        : "revoked " + revoked + " key(s) of family " + familyId
                                + "; services refuse them within AUTH_CACHE_TTL");
        return 0;
    }

    private int setDisabled(String who, boolean disabled) {
        Optional<User> user = user(who);
        if (user.isEmpty()) {
            return 1;
        }
        boolean changed = accounts.setDisabled(user.get().id(), disabled);
        err.println(user.get().name() + (changed ? " is now " : " was already ") + (disabled ? "disabled" : "enabled"));
        return 0;
    }

    private int listUsers() {
        out.printf("%-36s  %-24s  %-27s  %s%n", "USER", "NAME", "CREATED", "DISABLED");
        for (User user : accounts.users()) {
            out.printf(
                    "%-36s  %-24s  %-27s  %s%n",
                    user.id(), user.name(), user.createdAt(), user.disabled() ? user.disabledAt() : "-");
        }
        return 0;
    }

    private int setQuota(List<String> args) {
        Optional<User> user = user(args.get(0));
        if (user.isEmpty()) {
            return 1;
        }
        Optional<Integer> rpm = Optional.empty();
        Optional<Integer> inFlight = Optional.empty();
        Optional<Long> tokens = Optional.empty();
        for (int i = 1; i < args.size(); i += 2) {
            String flag = args.get(i);
            String value = args.get(i + 1);
            if (!value.matches("\\d{1,18}")) {
                err.println("askpipe admin: " + flag + " takes a whole number, 0 for unlimited, not " + value);
                return 2;
            }
            long n = Long.parseLong(value);
            switch (flag) {
                case "--rpm" -> rpm = Optional.of(asInt(n));
                case "--in-flight" -> inFlight = Optional.of(asInt(n));
                case "--monthly-tokens" -> tokens = Optional.of(n);
                default -> {
                    return usage();
                }
            }
        }
        if (rpm.orElse(0) < 0 || inFlight.orElse(0) < 0) {
            err.println("askpipe admin: --rpm and --in-flight are at most " + Integer.MAX_VALUE);
            return 2;
        }
        QuotaOverride stored = quotas.set(user.get().id(), new QuotaOverride(rpm, inFlight, tokens));
        err.println("quotas of " + user.get().name() + " set; ingest applies them within AUTH_CACHE_TTL");
        printQuota(stored);
        return 0;
    }

    /** {@code n}, or -1 when it does not fit an int (refused by the caller). */
    private static int asInt(long n) {
        return n > Integer.MAX_VALUE ? -1 : (int) n;
    }

    private int showQuota(String who) {
        Optional<User> user = user(who);
        if (user.isEmpty()) {
            return 1;
        }
        printQuota(quotas.of(user.get().id()));
        return 0;
    }

    private int clearQuota(String who) {
        Optional<User> user = user(who);
        if (user.isEmpty()) {
            return 1;
        }
        boolean had = quotas.clear(user.get().id());
        err.println(user.get().name() + (had ? " takes the default quotas again" : " had no quota overrides"));
        return 0;
    }

    /** One line per limit: its name and value, {@code unlimited} for 0, {@code default} if not set. */
    private void printQuota(QuotaOverride quota) {
        out.println("rpm " + limit(quota.rpm().map(Integer::longValue)));
        out.println("in-flight " + limit(quota.maxInFlight().map(Integer::longValue)));
        out.println("monthly-tokens " + limit(quota.monthlyTokens()));
    }

    private static String limit(Optional<Long> value) {
        return value.map(v -> v == 0 ? "unlimited" : Long.toString(v)).orElse("default");
    }

    private Optional<User> user(String nameOrId) {
        Optional<User> user = accounts.findUserByName(nameOrId).or(() -> accounts.findUser(nameOrId));
        if (user.isEmpty()) {
            err.println("askpipe admin: no user called " + nameOrId);
        }
        return user;
    }

    private int usage() {
        err.println(USAGE);
        return 2;
    }
}
