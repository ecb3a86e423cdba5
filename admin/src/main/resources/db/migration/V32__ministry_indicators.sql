-- The Ministry's indicators (order No. 45, annex 2) by the order's definitions for the case actions recorded before
-- them (io.tapswitch.admin.workflow.CaseStore.indicator counts new actions so):
-- row 4: an e-case registered by the social protection unit itself (a district administration or the department) is
-- formed and passed on to it at registration;
UPDATE case_actions SET indicator = 'PASSED_ON'
 WHERE action = 'REGISTER' AND indicator IS NULL AND details->>'intakeBody' IN ('DISTRICT', 'DEPARTMENT');
-- row 7: only decisions on social payments count; issuing a card (No. 8, 41-140) or recording a result (No. 22,
-- 41-69) is none.
UPDATE case_actions SET indicator = NULL
 WHERE indicator = 'DECIDED' AND service_code IN ('8', '22', '41-69', '41-140');
