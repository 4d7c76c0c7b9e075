/**
 * How services reach Kafka: client settings, the topics provisioned from the registry, and the dead-letter form of an unreadable record.
 */
package io.askpipe.common.kafka;
