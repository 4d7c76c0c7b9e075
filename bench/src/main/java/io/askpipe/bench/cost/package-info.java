/**
 * The cost model behind {@code CostModel}: each step one ask takes through the pipeline (a ledger
 * statement, a Kafka produce, fetch or transaction, a row write, JSON, a log line, an HTTP request)
 * measured alone on the production classes, on an embedded broker and database, as CPU per ask and
 * the latency of one operation.
 */
package io.askpipe.bench.cost;
