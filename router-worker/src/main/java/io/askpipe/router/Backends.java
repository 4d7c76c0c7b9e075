package io.askpipe.router;

/** Builds the backend registry from the backends' settings. */
final class Backends {
    private Backends() {}

    static BackendRegistry registry(BackendSettings settings) {
        return BackendRegistry.builder()
                .available(new DryrunBackend(settings.dryrunLatency()), settings.timeout(DryrunBackend.NAME))
                .unavailable("openai", "openai is not configured: set OPENAI_API_KEY or OPENAI_BASE_URL")
                .unavailable("llama", "llama is not configured: set LLAMA_BASE_URL")
                .build();
    }
}
