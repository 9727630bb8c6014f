SELECT ward, beds
FROM north
