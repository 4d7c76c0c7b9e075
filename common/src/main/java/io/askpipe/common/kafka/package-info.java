/**
 * How services reach Kafka: client settings, the size of an ask and the record sizes derived from it, the topics
 * provisioned from the registry, and the dead-letter form of an unreadable record.
 */
package io.askpipe.common.kafka;
