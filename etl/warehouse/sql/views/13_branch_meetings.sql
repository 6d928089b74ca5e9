-- SPEC §5. Grain: one row per branch per month (current report versions only).
CREATE OR REPLACE VIEW branch_meetings AS
SELECT l.commune_code, r.branch_code, l.period, r.held, r.meeting_date, r.members_total, r.members_exempt,
       r.members_attended, r.thematic, r.thematic_topic, r.upper_attended, r.quality
FROM branch_meeting_rows r
JOIN current_reports l USING (load_id);
