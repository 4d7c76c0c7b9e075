package io.askpipe.common.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How the client commands ({@code ./askpipe batch}, a drill against a running deployment) reach
 * askpipe: its URL and the API key they send, by default the key the development stack wrote.
 */
public final class ClientSettings {
    /** Written by the dev stack at start, read by the clients when no key is given. */
    public static final Setting<Path> DEV_KEY_FILE = Setting.of(
                    "ASKPIPE_DEV_KEY_FILE", "path", (name, raw) -> Path.of(raw))
            .defaultsTo(".askpipe/dev-key")
            .doc("where the dev stack writes the development API key it issues at start");

    public static final Setting<String> API_KEY = Setting.text("ASKPIPE_API_KEY")
            .derivedDefault("the key in `ASKPIPE_DEV_KEY_FILE`", ClientSettings::devKey)
            .secret()
            .doc("the API key `./askpipe batch` and a drill against a running deployment send");

    public static final Setting<String> URL = Setting.text("ASKPIPE_URL")
            .defaultsTo("http://127.0.0.1:8080")
            .doc("the askpipe `./askpipe batch` talks to");

    /** Set by the launcher, which runs every command from the project's directory. */
    public static final Setting<Path> CALLER_DIR = Setting.of("ASKPIPE_CALLER_DIR", "path", (name, raw) -> Path.of(raw))
            .defaultsTo(".")
            .doc("the directory a client command's file arguments are relative to");

    private ClientSettings() {}

    /** The settings of {@code ./askpipe batch}. */
    public static List<Setting<?>> settings() {
        return List.of(URL, API_KEY, DEV_KEY_FILE, CALLER_DIR);
    }

    private static String devKey(Env env) {
        Path file = env.get(DEV_KEY_FILE);
        try {
            String key = Files.readString(file).strip();
            if (!key.isEmpty()) {
                return key;
            }
        } catch (IOException e) {
            // told below
        }
        throw new ConfigException("set " + API_KEY.name() + ", or start ./askpipe dev, which writes its key to " + file
                + " (" + DEV_KEY_FILE.name() + ")");
    }
}
