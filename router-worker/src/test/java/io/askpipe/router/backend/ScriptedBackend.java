package io.askpipe.router.backend;

import java.util.concurrent.atomic.AtomicInteger;

/** A backend whose behaviour a test scripts, counting its calls. */
public final class ScriptedBackend implements Backend {
    public interface Script {
        BackendOutcome answer(BackendCall call) throws InterruptedException;
    }

    private final String name;
    private final Script script;
    public final AtomicInteger calls = new AtomicInteger();

    public ScriptedBackend(String name, Script script) {
        this.name = name;
        this.script = script;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public BackendOutcome call(BackendCall call) throws InterruptedException {
        calls.incrementAndGet();
        return script.answer(call);
    }
}
