package io.askpipe.router;

import io.askpipe.router.spi.Backend;
import io.askpipe.router.spi.BackendCall;
import io.askpipe.router.spi.BackendOutcome;
import java.util.concurrent.atomic.AtomicInteger;

/** A backend whose behaviour a test scripts, counting its calls. */
final class ScriptedBackend implements Backend {
    interface Script {
        BackendOutcome answer(BackendCall call) throws InterruptedException;
    }

    private final String name;
    private final Script script;
    final AtomicInteger calls = new AtomicInteger();

    ScriptedBackend(String name, Script script) {
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
