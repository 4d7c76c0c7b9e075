-- What the backend said besides the answer's text, kept so that GET /v1/ask/{id}, its webhook and
-- GET /v1/ask/{id}/completion (OpenAI's chat.completion) show the whole reply: why the model
-- stopped, the assistant's message (content, tool_calls, refusal: the JSON of a ChatMessage), the
-- usage details and the vendor's system fingerprint. NULL where the backend did not say, on a
-- failure, and on every ask stored before.
ALTER TABLE asks ADD COLUMN finish_reason varchar(16);
ALTER TABLE asks ADD COLUMN message jsonb;
ALTER TABLE asks ADD COLUMN cached_tokens integer;
ALTER TABLE asks ADD COLUMN reasoning_tokens integer;
ALTER TABLE asks ADD COLUMN system_fingerprint text;
