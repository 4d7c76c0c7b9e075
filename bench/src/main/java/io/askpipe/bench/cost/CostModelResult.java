package io.askpipe.bench.cost;

import io.askpipe.bench.load.AskLoadResult;
import java.time.Instant;
import java.util.List;

/** What one run of the cost model measured: each step's figures, and the idle noise beside them. */
public record CostModelResult(
        Instant startedAt,
        AskLoadResult.Machine machine,
        CostModelOptions options,
        StepRunner.Idle idle,
        List<StepResult> steps) {}
