-- The IDP condition of the guest card (decision No. 1103 of 21.12.2022: internally displaced persons who arrived in
-- the city since 24.02.2022 get a «guest card»): the IDP registration certificate's number (idp_certificate, V1), its
-- date and the date the person arrived. Checked by io.tapswitch.admin.eligibility.Eligibility.
ALTER TABLE cardholders ADD COLUMN idp_certificate_date date;
ALTER TABLE cardholders ADD COLUMN idp_arrived_on date CHECK (idp_arrived_on >= DATE '2022-02-24');
