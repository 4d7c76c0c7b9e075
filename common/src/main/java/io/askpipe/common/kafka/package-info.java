/**
 * How services reach Kafka: client settings, the size of an ask and the record sizes derived from it, the topics
 * provisioned from the registry, the dead-letter form of an unreadable record, and the loop that polls a consumer.
 */
package io.askpipe.common.kafka;
