-- SPEC §5. Grain: one row per committee meeting in the current version of each monthly report.
CREATE OR REPLACE VIEW committee_meetings AS
SELECT l.commune_code, l.period, r.meeting_date, r.body, r.regular, r.members_total, r.members_present,
       r.conclusion_issued, r.conclusion_ref, r.conclusion_date, r.upper_attended
FROM committee_meeting_rows r
JOIN current_reports l USING (load_id);
