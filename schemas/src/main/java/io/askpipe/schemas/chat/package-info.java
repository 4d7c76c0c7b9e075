/**
 * The OpenAI chat-completions vocabulary askpipe carries on its topics: the request body
 * ({@link io.askpipe.schemas.chat.ChatRequest}), its messages and their content, tools and tool
 * calls, and what a backend answers with. Plain records with their Jackson mapping; what a client
 * may send is validated by ingest, not here.
 */
package io.askpipe.schemas.chat;
