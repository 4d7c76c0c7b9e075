-- Accounts: users and their API keys. A key is stored only as the SHA-256 of its secret (the
-- secret is 256 random bits, so a fast hash is enough); its prefix identifies it in lists and logs.
-- Keys of one family (a key and the keys that replaced it) are revoked together.
CREATE TABLE users (
    id         varchar(36)  NOT NULL,
    name       varchar(128) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    CONSTRAINT users_pk PRIMARY KEY (id),
    CONSTRAINT users_name_uk UNIQUE (name)
);

CREATE TABLE api_keys (
    id         varchar(36) NOT NULL,
    user_id    varchar(36) NOT NULL,
    family_id  varchar(36) NOT NULL,
    prefix     varchar(16) NOT NULL,
    key_hash   varchar(64) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    revoked_at timestamp with time zone,
    CONSTRAINT api_keys_pk PRIMARY KEY (id),
    CONSTRAINT api_keys_hash_uk UNIQUE (key_hash),
    CONSTRAINT api_keys_user_fk FOREIGN KEY (user_id) REFERENCES users (id)
);

CREATE INDEX api_keys_family_idx ON api_keys (family_id);
