/**
 * What a client sees of an ask and of its usage: the read models that the read routes answer with
 * and a webhook carries.
 */
package io.askpipe.store.view;
