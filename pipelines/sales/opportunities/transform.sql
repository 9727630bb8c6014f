-- The contact's name never leaves the CRM; the e-mail stays only as a salted hash (see the contract), enough
-- to count distinct contacts.
SELECT
    opportunity_id,
    account,
    contact_email,
    nullif(trim(campaign_id), '') AS campaign_id,
    stage,
    stage IN ('won', 'lost') AS closed,
    amount,
    currency,
    created_on
FROM crm_opportunities
