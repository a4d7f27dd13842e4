/**
 * The stored shapes. Amounts are integer cents; dates "YYYY-MM-DD" strings; JSON documents
 * (ventilation, problems, audit snapshots, a department's chart) are TEXT holding JSON, so both
 * databases store them the same way.
 *
 * The classes are made per connection (a test may hold a SQLite and a MySQL one at once).
 */
import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

export const ROLES = ['mandataire', 'tresorier', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export type AuditAction = 'create' | 'replace' | 'delete' | 'duplicate' | 'restore' | 'pointage' | 'depointage';
/** The books whose changes go to the side-book audit trail. */
export const SIDE_BOOKS = ['caisse', 'subvention', 'inventaire', 'piece', 'coop', 'departement'] as const;
export type SideBook = (typeof SIDE_BOOKS)[number];
export const EXERCISE_ACTIONS = ['open', 'opening', 'close', 'reopen'] as const;
export type ExerciseAction = (typeof EXERCISE_ACTIONS)[number];

export function defineModels(sequelize: Sequelize) {
  class Department extends Model<InferAttributes<Department>, InferCreationAttributes<Department>> {
    declare code: string;
    declare name: string;
    /** The department's chart of chapters (JSON), null for the default chart. */
    declare chart: string | null;
    /** The department's settings (JSON): what mandataires may edit of their coop… */
    declare settings: CreationOptional<string | null>;
  }

  class Coop extends Model<InferAttributes<Coop>, InferCreationAttributes<Coop>> {
    declare id: CreationOptional<number>;
    declare number: string;
    declare name: string;
    declare school: string | null;
    declare departmentCode: string;
    /** Administrative data kept by the department (JSON). */
    declare admin: string | null;
  }

  class Exercise extends Model<InferAttributes<Exercise>, InferCreationAttributes<Exercise>> {
    declare id: CreationOptional<number>;
    declare coopId: number;
    declare year: number;
    declare status: 'open' | 'closed';
    declare openingBanque: number;
    declare openingCaisse: number;
    /** Last change cursor given out in this exercise (lines' `seq`). */
    declare lastSeq: number;
  }

  class User extends Model<InferAttributes<User>, InferCreationAttributes<User>> {
    declare id: CreationOptional<number>;
    declare login: string;
    declare passwordHash: string;
    declare role: Role;
    declare coopId: number | null;
    declare departmentCode: string | null;
  }

  class Session extends Model<InferAttributes<Session>, InferCreationAttributes<Session>> {
    /** SHA-256 of the token: the token itself is never stored. */
    declare tokenHash: string;
    declare userId: number;
    declare expiresAt: Date;
    declare revokedAt: Date | null;
  }

  /** A counter of the login throttle: password checks under one key (login, address…) in a window. */
  class LoginAttempt extends Model<InferAttributes<LoginAttempt>, InferCreationAttributes<LoginAttempt>> {
    declare key: string;
    /** Password checks reserved in the window (those still running included). */
    declare checks: number;
    declare windowStart: Date;
    /** Set when the window is full: no check under this key before then. */
    declare lockedUntil: Date | null;
  }

  class Line extends Model<InferAttributes<Line>, InferCreationAttributes<Line>> {
    declare id: string;
    declare exerciseId: number;
    declare version: number;
    declare status: 'draft' | 'validated';
    declare deleted: boolean;
    declare seq: number;
    declare pj: string;
    declare date: string;
    declare libelle: string;
    declare mode: string | null;
    declare cheque: string | null;
    declare action: string | null;
    declare kind: string;
    declare account: string;
    declare amount: number;
    declare ventilation: string;
    declare problems: string;
    declare pointed: boolean;
    /** The statement line that cleared it, when it was pointed from an imported statement. */
    declare statementLineId: CreationOptional<number | null>;
    /** Titulaire of the régie d'avance the line gives, spends or returns. */
    declare holder: CreationOptional<string | null>;
    declare createdAt: CreationOptional<Date>;
    declare updatedAt: CreationOptional<Date>;
  }

  class Audit extends Model<InferAttributes<Audit>, InferCreationAttributes<Audit>> {
    declare id: CreationOptional<number>;
    declare lineId: string;
    declare exerciseId: number;
    declare userId: number | null;
    declare login: string;
    declare action: AuditAction;
    declare version: number;
    declare before: string | null;
    declare after: string | null;
    declare at: Date;
  }

  /** A change of an exercise itself: opened, report à nouveau corrected, closed, reopened. */
  class ExerciseAudit extends Model<InferAttributes<ExerciseAudit>, InferCreationAttributes<ExerciseAudit>> {
    declare id: CreationOptional<number>;
    declare exerciseId: number;
    declare userId: number | null;
    declare login: string;
    declare action: ExerciseAction;
    declare reason: string | null;
    declare before: string | null;
    declare after: string | null;
    declare at: Date;
  }

  /** A bank statement imported for a coop (the lines it brought are in statement_lines). */
  class Statement extends Model<InferAttributes<Statement>, InferCreationAttributes<Statement>> {
    declare id: CreationOptional<number>;
    declare coopId: number;
    declare exerciseId: number;
    declare format: string;
    declare fileName: string | null;
    declare fileHash: string;
    declare account: string | null;
    declare periodFrom: string | null;
    declare periodTo: string | null;
    declare openingBalance: number | null;
    declare closingBalance: number | null;
    declare linesRead: number;
    declare linesNew: number;
    declare importedBy: string;
    declare importedAt: Date;
  }

  class StatementLine extends Model<InferAttributes<StatementLine>, InferCreationAttributes<StatementLine>> {
    declare id: CreationOptional<number>;
    declare statementId: number;
    declare coopId: number;
    /** What recognises the line on a later import (bank reference, else date·amount·label·occurrence). */
    declare lineKey: string;
    declare date: string;
    declare amount: number;
    declare label: string;
    declare cheque: string | null;
    declare bankRef: string | null;
    /** Its place in the file it came from. */
    declare position: number;
  }

  /** A coop's CSV column mapping, for a bank layout the reader cannot recognise by itself. */
  class CsvMapping extends Model<InferAttributes<CsvMapping>, InferCreationAttributes<CsvMapping>> {
    declare coopId: number;
    declare mapping: string;
    declare updatedAt: Date;
  }

  /** An arrêté de caisse: the notes and coins counted at a date. */
  class CashCount extends Model<InferAttributes<CashCount>, InferCreationAttributes<CashCount>> {
    declare id: CreationOptional<number>;
    declare exerciseId: number;
    declare date: string;
    /** JSON: {"5000": 1, "200": 3} (denomination in cents → how many). */
    declare counts: string;
    declare total: number;
    declare version: number;
    declare updatedBy: string;
    declare updatedAt: Date;
  }

  /** A subsidy of the exercise (tableau des subventions). */
  class Subsidy extends Model<InferAttributes<Subsidy>, InferCreationAttributes<Subsidy>> {
    declare id: CreationOptional<number>;
    declare exerciseId: number;
    declare financeur: string;
    declare objet: string;
    declare chapter: string;
    declare granted: number;
    declare decisionDate: string | null;
    /** JSON array of the action tags it funds. */
    declare actions: string;
    declare state: 'a_justifier' | 'justifiee';
    declare justifiedOn: string | null;
    declare note: string | null;
    declare version: number;
    declare updatedAt: Date;
  }

  class SubsidyLine extends Model<InferAttributes<SubsidyLine>, InferCreationAttributes<SubsidyLine>> {
    declare subsidyId: number;
    declare lineId: string;
    declare role: 'receipt' | 'use';
  }

  /** A durable good of the coop (cahier d'inventaire), kept across exercises. */
  class InventoryItem extends Model<InferAttributes<InventoryItem>, InferCreationAttributes<InventoryItem>> {
    declare id: CreationOptional<number>;
    declare coopId: number;
    declare designation: string;
    declare acquiredOn: string;
    declare value: number;
    declare location: string | null;
    declare disposedOn: string | null;
    declare disposalReason: string | null;
    declare version: number;
    declare updatedAt: Date;
  }

  class InventoryLine extends Model<InferAttributes<InventoryLine>, InferCreationAttributes<InventoryLine>> {
    declare itemId: number;
    declare lineId: string;
  }

  /** A pièce justificative attached to a line (its bytes are in the attachment store). */
  class Attachment extends Model<InferAttributes<Attachment>, InferCreationAttributes<Attachment>> {
    declare id: CreationOptional<number>;
    declare exerciseId: number;
    declare lineId: string;
    declare name: string;
    declare type: string;
    declare size: number;
    declare sha256: string;
    declare createdBy: string;
    declare createdAt: Date;
  }

  /** The bytes of an attachment kept in the database, once per content. */
  class AttachmentContent extends Model<
    InferAttributes<AttachmentContent>,
    InferCreationAttributes<AttachmentContent>
  > {
    declare sha256: string;
    declare bytes: Buffer;
  }

  /** A change of a side book (caisse, subvention, inventaire, pièce, coop data): who, when, before, after. */
  class SideBookAudit extends Model<InferAttributes<SideBookAudit>, InferCreationAttributes<SideBookAudit>> {
    declare id: CreationOptional<number>;
    declare coopId: number;
    declare exerciseId: number | null;
    declare book: SideBook;
    declare recordId: string;
    declare userId: number | null;
    declare login: string;
    declare action: string;
    declare before: string | null;
    declare after: string | null;
    declare at: Date;
  }

  /** A document archived at a closing of an exercise: its bytes and their sha256, never deleted. */
  class Archive extends Model<InferAttributes<Archive>, InferCreationAttributes<Archive>> {
    declare id: CreationOptional<number>;
    declare exerciseId: number;
    declare closing: number;
    declare kind: string;
    declare format: string;
    declare name: string;
    declare type: string;
    declare size: number;
    declare sha256: string;
    declare bytes: Buffer;
    declare createdAt: Date;
    declare createdBy: string;
  }

  /** A bank line of a closed exercise, outstanding at its closing, cleared in the next one. */
  class OutstandingClearance extends Model<
    InferAttributes<OutstandingClearance>,
    InferCreationAttributes<OutstandingClearance>
  > {
    declare lineId: string;
    declare exerciseId: number;
    declare clearedOn: string;
    declare clearedBy: string;
    /** The statement line that cleared it (null: pointed by hand). */
    declare statementLineId: CreationOptional<number | null>;
    declare at: Date;
  }

  const mysql = sequelize.getDialect() === 'mysql';
  /** Case-sensitive text on MySQL (logins, ids), whose default collation ignores case. */
  const binary = mysql ? { collate: 'utf8mb4_bin' } : {};
  const common = { sequelize, underscored: true, timestamps: false } as const;

  Department.init(
    {
      code: { type: DataTypes.STRING(10), primaryKey: true },
      name: { type: DataTypes.STRING(200), allowNull: false },
      chart: { type: DataTypes.TEXT, allowNull: true },
      settings: { type: DataTypes.TEXT, allowNull: true },
    },
    { ...common, tableName: 'departments' },
  );
  Coop.init(
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      number: { type: DataTypes.STRING(40), allowNull: false, unique: true },
      name: { type: DataTypes.STRING(200), allowNull: false },
      school: { type: DataTypes.STRING(200), allowNull: true },
      departmentCode: { type: DataTypes.STRING(10), allowNull: false },
      admin: { type: DataTypes.TEXT, allowNull: true },
    },
    { ...common, tableName: 'coops' },
  );
  Exercise.init(
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      coopId: { type: DataTypes.INTEGER, allowNull: false },
      year: { type: DataTypes.INTEGER, allowNull: false },
      status: { type: DataTypes.STRING(10), allowNull: false },
      openingBanque: { type: DataTypes.BIGINT, allowNull: false },
      openingCaisse: { type: DataTypes.BIGINT, allowNull: false },
      lastSeq: { type: DataTypes.BIGINT, allowNull: false },
    },
    { ...common, tableName: 'exercises' },
  );
  User.init(
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      login: { type: DataTypes.STRING(100), allowNull: false, unique: true, ...binary },
      passwordHash: { type: DataTypes.STRING(300), allowNull: false },
      role: { type: DataTypes.STRING(20), allowNull: false },
      coopId: { type: DataTypes.INTEGER, allowNull: true },
      departmentCode: { type: DataTypes.STRING(10), allowNull: true },
    },
    { ...common, tableName: 'users' },
  );
  Session.init(
    {
      tokenHash: { type: DataTypes.STRING(64), primaryKey: true },
      userId: { type: DataTypes.INTEGER, allowNull: false },
      expiresAt: { type: DataTypes.DATE, allowNull: false },
      revokedAt: { type: DataTypes.DATE, allowNull: true },
    },
    { ...common, tableName: 'sessions' },
  );
  LoginAttempt.init(
    {
      key: { type: DataTypes.STRING(200), primaryKey: true, ...binary },
      checks: { type: DataTypes.INTEGER, allowNull: false },
      windowStart: { type: DataTypes.DATE, allowNull: false },
      lockedUntil: { type: DataTypes.DATE, allowNull: true },
    },
    { ...common, tableName: 'login_attempts' },
  );
  Line.init(
    {
      id: { type: DataTypes.STRING(36), primaryKey: true, ...binary },
      exerciseId: { type: DataTypes.INTEGER, allowNull: false },
      version: { type: DataTypes.INTEGER, allowNull: false },
      status: { type: DataTypes.STRING(10), allowNull: false },
      deleted: { type: DataTypes.BOOLEAN, allowNull: false },
      seq: { type: DataTypes.BIGINT, allowNull: false },
      pj: { type: DataTypes.STRING(40), allowNull: false },
      date: { type: DataTypes.STRING(10), allowNull: false },
      libelle: { type: DataTypes.STRING(500), allowNull: false },
      mode: { type: DataTypes.STRING(20), allowNull: true },
      cheque: { type: DataTypes.STRING(40), allowNull: true },
      action: { type: DataTypes.STRING(100), allowNull: true },
      kind: { type: DataTypes.STRING(20), allowNull: false },
      account: { type: DataTypes.STRING(10), allowNull: false },
      amount: { type: DataTypes.BIGINT, allowNull: false },
      ventilation: { type: DataTypes.TEXT, allowNull: false },
      problems: { type: DataTypes.TEXT, allowNull: false },
      pointed: { type: DataTypes.BOOLEAN, allowNull: false },
      statementLineId: { type: DataTypes.INTEGER, allowNull: true },
      holder: { type: DataTypes.STRING(100), allowNull: true },
      createdAt: { type: DataTypes.DATE(3), allowNull: false },
      updatedAt: { type: DataTypes.DATE(3), allowNull: false },
    },
    { ...common, tableName: 'lines' },
  );
  Audit.init(
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      lineId: { type: DataTypes.STRING(36), allowNull: false, ...binary },
      exerciseId: { type: DataTypes.INTEGER, allowNull: false },
      userId: { type: DataTypes.INTEGER, allowNull: true },
      login: { type: DataTypes.STRING(100), allowNull: false },
      action: { type: DataTypes.STRING(20), allowNull: false },
      version: { type: DataTypes.INTEGER, allowNull: false },
      before: { type: DataTypes.TEXT, allowNull: true },
      after: { type: DataTypes.TEXT, allowNull: true },
      at: { type: DataTypes.DATE(3), allowNull: false },
    },
    { ...common, tableName: 'audit' },
  );
  ExerciseAudit.init(
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      exerciseId: { type: DataTypes.INTEGER, allowNull: false },
      userId: { type: DataTypes.INTEGER, allowNull: true },
      login: { type: DataTypes.STRING(100), allowNull: false },
      action: { type: DataTypes.STRING(20), allowNull: false },
      reason: { type: DataTypes.TEXT, allowNull: true },
      before: { type: DataTypes.TEXT, allowNull: true },
      after: { type: DataTypes.TEXT, allowNull: true },
      at: { type: DataTypes.DATE(3), allowNull: false },
    },
    { ...common, tableName: 'exercise_audit' },
  );
  Statement.init(
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      coopId: { type: DataTypes.INTEGER, allowNull: false },
      exerciseId: { type: DataTypes.INTEGER, allowNull: false },
      format: { type: DataTypes.STRING(20), allowNull: false },
      fileName: { type: DataTypes.STRING(255), allowNull: true },
      fileHash: { type: DataTypes.STRING(64), allowNull: false },
      account: { type: DataTypes.STRING(64), allowNull: true },
      periodFrom: { type: DataTypes.STRING(10), allowNull: true },
      periodTo: { type: DataTypes.STRING(10), allowNull: true },
      openingBalance: { type: DataTypes.BIGINT, allowNull: true },
      closingBalance: { type: DataTypes.BIGINT, allowNull: true },
      linesRead: { type: DataTypes.INTEGER, allowNull: false },
      linesNew: { type: DataTypes.INTEGER, allowNull: false },
      importedBy: { type: DataTypes.STRING(100), allowNull: false },
      importedAt: { type: DataTypes.DATE(3), allowNull: false },
    },
    { ...common, tableName: 'statements' },
  );
  StatementLine.init(
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      statementId: { type: DataTypes.INTEGER, allowNull: false },
      coopId: { type: DataTypes.INTEGER, allowNull: false },
      lineKey: { type: DataTypes.STRING(64), allowNull: false },
      date: { type: DataTypes.STRING(10), allowNull: false },
      amount: { type: DataTypes.BIGINT, allowNull: false },
      label: { type: DataTypes.STRING(500), allowNull: false },
      cheque: { type: DataTypes.STRING(40), allowNull: true },
      bankRef: { type: DataTypes.STRING(100), allowNull: true },
      position: { type: DataTypes.INTEGER, allowNull: false },
    },
    { ...common, tableName: 'statement_lines' },
  );
  CsvMapping.init(
    {
      coopId: { type: DataTypes.INTEGER, primaryKey: true },
      mapping: { type: DataTypes.TEXT, allowNull: false },
      updatedAt: { type: DataTypes.DATE(3), allowNull: false },
    },
    { ...common, tableName: 'csv_mappings' },
  );
  CashCount.init(
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      exerciseId: { type: DataTypes.INTEGER, allowNull: false },
      date: { type: DataTypes.STRING(10), allowNull: false },
      counts: { type: DataTypes.TEXT, allowNull: false },
      total: { type: DataTypes.BIGINT, allowNull: false },
      version: { type: DataTypes.INTEGER, allowNull: false },
      updatedBy: { type: DataTypes.STRING(100), allowNull: false },
      updatedAt: { type: DataTypes.DATE(3), allowNull: false },
    },
    { ...common, tableName: 'cash_counts' },
  );
  Subsidy.init(
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      exerciseId: { type: DataTypes.INTEGER, allowNull: false },
      financeur: { type: DataTypes.STRING(200), allowNull: false },
      objet: { type: DataTypes.STRING(500), allowNull: false },
      chapter: { type: DataTypes.STRING(10), allowNull: false },
      granted: { type: DataTypes.BIGINT, allowNull: false },
      decisionDate: { type: DataTypes.STRING(10), allowNull: true },
      actions: { type: DataTypes.TEXT, allowNull: false },
      state: { type: DataTypes.STRING(20), allowNull: false },
      justifiedOn: { type: DataTypes.STRING(10), allowNull: true },
      note: { type: DataTypes.TEXT, allowNull: true },
      version: { type: DataTypes.INTEGER, allowNull: false },
      updatedAt: { type: DataTypes.DATE(3), allowNull: false },
    },
    { ...common, tableName: 'subsidies' },
  );
  SubsidyLine.init(
    {
      subsidyId: { type: DataTypes.INTEGER, primaryKey: true },
      lineId: { type: DataTypes.STRING(36), primaryKey: true, ...binary },
      role: { type: DataTypes.STRING(10), allowNull: false },
    },
    { ...common, tableName: 'subsidy_lines' },
  );
  InventoryItem.init(
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      coopId: { type: DataTypes.INTEGER, allowNull: false },
      designation: { type: DataTypes.STRING(300), allowNull: false },
      acquiredOn: { type: DataTypes.STRING(10), allowNull: false },
      value: { type: DataTypes.BIGINT, allowNull: false },
      location: { type: DataTypes.STRING(200), allowNull: true },
      disposedOn: { type: DataTypes.STRING(10), allowNull: true },
      disposalReason: { type: DataTypes.STRING(500), allowNull: true },
      version: { type: DataTypes.INTEGER, allowNull: false },
      updatedAt: { type: DataTypes.DATE(3), allowNull: false },
    },
    { ...common, tableName: 'inventory_items' },
  );
  InventoryLine.init(
    {
      itemId: { type: DataTypes.INTEGER, primaryKey: true },
      lineId: { type: DataTypes.STRING(36), primaryKey: true, ...binary },
    },
    { ...common, tableName: 'inventory_lines' },
  );
  Attachment.init(
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      exerciseId: { type: DataTypes.INTEGER, allowNull: false },
      lineId: { type: DataTypes.STRING(36), allowNull: false, ...binary },
      name: { type: DataTypes.STRING(255), allowNull: false },
      type: { type: DataTypes.STRING(50), allowNull: false },
      size: { type: DataTypes.INTEGER, allowNull: false },
      sha256: { type: DataTypes.STRING(64), allowNull: false },
      createdBy: { type: DataTypes.STRING(100), allowNull: false },
      createdAt: { type: DataTypes.DATE(3), allowNull: false },
    },
    { ...common, tableName: 'attachments' },
  );
  AttachmentContent.init(
    {
      sha256: { type: DataTypes.STRING(64), primaryKey: true },
      bytes: { type: DataTypes.BLOB('long'), allowNull: false },
    },
    { ...common, tableName: 'attachment_contents' },
  );
  SideBookAudit.init(
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      coopId: { type: DataTypes.INTEGER, allowNull: false },
      exerciseId: { type: DataTypes.INTEGER, allowNull: true },
      book: { type: DataTypes.STRING(20), allowNull: false },
      recordId: { type: DataTypes.STRING(64), allowNull: false },
      userId: { type: DataTypes.INTEGER, allowNull: true },
      login: { type: DataTypes.STRING(100), allowNull: false },
      action: { type: DataTypes.STRING(20), allowNull: false },
      before: { type: DataTypes.TEXT, allowNull: true },
      after: { type: DataTypes.TEXT, allowNull: true },
      at: { type: DataTypes.DATE(3), allowNull: false },
    },
    { ...common, tableName: 'side_book_audit' },
  );
  Archive.init(
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      exerciseId: { type: DataTypes.INTEGER, allowNull: false },
      closing: { type: DataTypes.INTEGER, allowNull: false },
      kind: { type: DataTypes.STRING(20), allowNull: false },
      format: { type: DataTypes.STRING(10), allowNull: false },
      name: { type: DataTypes.STRING(255), allowNull: false },
      type: { type: DataTypes.STRING(100), allowNull: false },
      size: { type: DataTypes.INTEGER, allowNull: false },
      sha256: { type: DataTypes.STRING(64), allowNull: false },
      bytes: { type: DataTypes.BLOB('long'), allowNull: false },
      createdAt: { type: DataTypes.DATE(3), allowNull: false },
      createdBy: { type: DataTypes.STRING(100), allowNull: false },
    },
    { ...common, tableName: 'archives' },
  );
  OutstandingClearance.init(
    {
      lineId: { type: DataTypes.STRING(36), primaryKey: true, ...binary },
      exerciseId: { type: DataTypes.INTEGER, allowNull: false },
      clearedOn: { type: DataTypes.STRING(10), allowNull: false },
      clearedBy: { type: DataTypes.STRING(100), allowNull: false },
      statementLineId: { type: DataTypes.INTEGER, allowNull: true, defaultValue: null },
      at: { type: DataTypes.DATE(3), allowNull: false },
    },
    { ...common, tableName: 'outstanding_clearances' },
  );
  return {
    Department,
    Coop,
    Exercise,
    User,
    Session,
    LoginAttempt,
    Line,
    Audit,
    ExerciseAudit,
    Statement,
    StatementLine,
    CsvMapping,
    CashCount,
    Subsidy,
    SubsidyLine,
    InventoryItem,
    InventoryLine,
    Attachment,
    AttachmentContent,
    SideBookAudit,
    Archive,
    OutstandingClearance,
  };
}

export type Models = ReturnType<typeof defineModels>;
export type LineRow = InstanceType<Models['Line']>;
export type AuditRow = InstanceType<Models['Audit']>;
export type UserRow = InstanceType<Models['User']>;
export type CoopRow = InstanceType<Models['Coop']>;
export type ExerciseRow = InstanceType<Models['Exercise']>;
export type StatementRow = InstanceType<Models['Statement']>;
export type StatementLineRow = InstanceType<Models['StatementLine']>;
