-- Search (issue 17): people by name with typos (pg_trgm), tax number, IDP certificate, birth date; cases by
-- applicant and status. The embedded PostgreSQL ships pg_trgm; a configured server needs the contrib package.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- The searchable name: family, given and patronymic, lower case (the database's UTF-8 ctype lowers Ґ Є І Ї), every
-- apostrophe form (ʼ ’ ‘ ` ') dropped, so Мар'яна, Марʼяна and Маряна are the same to search.
CREATE FUNCTION person_search_name(family text, given text, patronymic text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT lower(translate(concat_ws(' ', family, given, patronymic), 'ʼ’‘`''', '')) $$;

CREATE INDEX cardholders_name_trgm ON cardholders
    USING gin (person_search_name(family_name, given_name, patronymic) gin_trgm_ops);
CREATE INDEX cardholders_tax_number ON cardholders (tax_number);
CREATE INDEX cardholders_idp_certificate ON cardholders (idp_certificate);
CREATE INDEX cardholders_birth_date ON cardholders (birth_date);
CREATE INDEX households_district ON households (district);
CREATE INDEX cases_status ON cases (status, registered_at);
-- cases by the applicant's name as the case records it (an applicant who is not yet a cardholder)
CREATE INDEX cases_applicant_name_trgm ON cases
    USING gin (person_search_name(doc -> 'applicant' ->> 'familyName', doc -> 'applicant' ->> 'givenName',
                                  doc -> 'applicant' ->> 'patronymic') gin_trgm_ops);
