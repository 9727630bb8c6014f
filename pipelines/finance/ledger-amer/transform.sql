-- Posted entries only, in USD, with the accounting period derived from the posting date.
SELECT
    entry_id,
    entity,
    account,
    posted_on,
    strftime(posted_on, '%Y-%m') AS period,
    amount,
    currency
FROM gl_entries
WHERE status = 'posted'
  AND currency = 'USD'
