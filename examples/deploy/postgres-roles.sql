-- footing's roles for docker-compose.yml's Postgres. The image runs this once, as the postgres
-- superuser on database adr, when its data volume is first initialised
-- (/docker-entrypoint-initdb.d). footing's first migration creates these roles only if they are
-- missing, and NOLOGIN; here they exist first, with LOGIN and passwords fit only for a local
-- demo, and the database belongs to the owner role that runs migrations. The service itself
-- logs in as footing_app: a superuser would bypass row-level security, and adr-server refuses
-- to start as one.
CREATE ROLE footing_owner LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD 'footing_owner';
CREATE ROLE footing_app LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD 'footing_app';
CREATE ROLE footing_system LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD 'footing_system';
ALTER DATABASE adr OWNER TO footing_owner;
