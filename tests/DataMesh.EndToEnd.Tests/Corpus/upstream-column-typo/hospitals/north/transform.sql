SELECT ward, beds
FROM census
