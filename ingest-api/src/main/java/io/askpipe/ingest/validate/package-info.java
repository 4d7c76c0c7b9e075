/**
 * Reading a submitted ask's JSON into its canonical chat body, metadata, expiry and priority, refusing every field
 * askpipe cannot carry by its JSON pointer.
 */
package io.askpipe.ingest.validate;
