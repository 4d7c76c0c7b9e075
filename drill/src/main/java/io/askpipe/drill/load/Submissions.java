package io.askpipe.drill.load;

import java.util.List;
import java.util.SortedMap;
import org.HdrHistogram.Histogram;

/**
 * What the drill's clients submitted and were told.
 *
 * @param submitted asks the clients tried
 * @param accepted asks answered 202
 * @param refused asks answered something other than 202, 409, 429 or 503, by number: the answer
 * @param gaveUp asks never accepted within the clients' patience
 * @param retries tries after a 503 or a connection error
 * @param submitMicros from each accepted ask's first try to its 202, in microseconds
 * @param cancels the cancels askpipe answered 200, 202 or 409
 * @param cancelsRefused cancels answered otherwise, by ask number: the answer
 */
public record Submissions(
        int submitted,
        List<Load.Accepted> accepted,
        SortedMap<Integer, String> refused,
        int gaveUp,
        int retries,
        Histogram submitMicros,
        List<Load.Cancel> cancels,
        SortedMap<Integer, String> cancelsRefused) {}
