-- Money the service cards pay (outcome PAYMENT): one row per payment a case ordered. Cash never goes to the switch:
-- nothing here is sent as a command. Amounts are integer kopiyky (UAH × 100).
-- status: ORDERED (the case's PAY stage ordered it) → SENT (on the day's register for the treasury) → PAID or
-- RETURNED (the bank or post could not pay it); STOPPED: an ordered payment stopped before it was sent (the payee
-- died: card 41-76).
CREATE TABLE payments (
    id                bigserial   PRIMARY KEY,
    case_id           text        NOT NULL UNIQUE REFERENCES cases (id),
    service_code      text        NOT NULL,
    card_version      integer     NOT NULL,
    ministry_category text,
    holder_id         bigint      REFERENCES cardholders (id),
    payee             text        NOT NULL CHECK (payee IN ('APPLICANT', 'PROVIDER')),
    payee_name        text        NOT NULL,
    payee_code        text        CHECK (payee_code ~ '^[0-9]{8}$'),
    channel           text        NOT NULL CHECK (channel IN ('BANK', 'POST')),
    iban              text        CHECK (iban ~ '^UA[0-9]{27}$'),
    post_address      text,
    amount_kopiyky    bigint      NOT NULL CHECK (amount_kopiyky > 0),
    currency          text        NOT NULL DEFAULT 'UAH' CHECK (currency = 'UAH'),
    funding_source    text        NOT NULL CHECK (funding_source IN ('CITY_BUDGET', 'STATE_BUDGET', 'DONOR')),
    status            text        NOT NULL CHECK (status IN ('ORDERED', 'SENT', 'PAID', 'RETURNED', 'STOPPED')),
    ordered_at        timestamptz NOT NULL,
    ordered_on        date        NOT NULL,
    register_date     date,
    sent_at           timestamptz,
    settled_at        timestamptz,
    return_reason     text,
    stop_reason       text,
    updated_at        timestamptz NOT NULL,
    CHECK ((channel = 'BANK') = (iban IS NOT NULL)),
    CHECK ((channel = 'POST') = (post_address IS NOT NULL)),
    CHECK ((status = 'ORDERED' OR status = 'STOPPED') = (register_date IS NULL))
);
CREATE INDEX payments_register ON payments (register_date) WHERE register_date IS NOT NULL;
CREATE INDEX payments_holder ON payments (holder_id);
CREATE INDEX payments_ordered ON payments (ordered_on);
