package io.askpipe.store.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.askpipe.store.view.AskView;
import java.util.List;

/**
 * One page of {@code GET /v1/asks}: the asks, newest first, and the cursor of the next page (absent
 * on the last).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record AskPage(List<AskView> data, String nextCursor) {}
