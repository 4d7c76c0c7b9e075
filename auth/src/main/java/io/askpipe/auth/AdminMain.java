package io.askpipe.auth;

import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Env;
import io.askpipe.common.config.Setting;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.log.LogSettings;
import java.util.List;

/**
 * {@code askpipe admin}: manages users, API keys and quota overrides in the database named by {@code DATABASE_URL}
 * (and {@code DATABASE_USER}, {@code DATABASE_PASSWORD}). Wiring only; see {@link AdminCommand}.
 */
public final class AdminMain {
    private AdminMain() {}

    /** The settings {@code askpipe admin} reads: its database and how keys are looked up. */
    public static List<Setting<?>> settings() {
        return Setting.union(DatabaseSettings.settings(), AuthSettings.settings(), LogSettings.settings());
    }

    public static void main(String[] args) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
            System.err.println(AdminCommand.USAGE);
            System.exit(args.length == 0 ? 2 : 0);
        }
        int status;
        try (AuthService auth =
                AuthService.start(DatabaseSettings.fromEnv(Env.system()), AuthSettings.fromEnv(Env.system()))) {
            status = new AdminCommand(auth.accounts(), auth.quotas(), System.out, System.err).run(List.of(args));
        } catch (ConfigException e) {
            System.err.println("askpipe admin: " + e.getMessage());
            status = 2;
        } catch (RuntimeException e) {
            System.err.println("askpipe admin: cannot reach the accounts database: " + e.getMessage());
            status = 1;
        }
        System.exit(status);
    }
}
